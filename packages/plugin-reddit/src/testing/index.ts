/**
 * `@sluice/plugin-reddit/testing`: a local HTTP server speaking Reddit's protocol, with deterministic
 * synthetic posts and comments, for tests and the offline demo.
 * @packageDocumentation
 */
export { FakeRedditServer, type FakeRedditServerOptions, type ScriptedFault, type RecordedRequest } from './server.js';
export { generatePosts, generateComments, type FakePost, type FakeComment, type GeneratePostsOptions, type GenerateCommentsOptions } from './data.js';
export { SeededRandom, syntheticTitle, syntheticAuthor, syntheticBody } from './random.js';
export { CommentTree, orderPosts, pageOf, listing, type ListingBody } from './views.js';
export { FakeTime } from './fake-time.js';
