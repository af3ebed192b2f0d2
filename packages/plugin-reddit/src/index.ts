/**
 * `@sluice/plugin-reddit`: extracts posts, comments and media URLs from Reddit's OAuth API the way Reddit
 * requires (user agent, OAuth2, rate-limit headers).
 * @packageDocumentation
 */
export { plugin, pluginName, pluginVersion } from './plugin.js';
export { RedditError, RedditAuthError, RedditRateLimitError, RedditApiError, RedditRecordError } from './errors.js';
export { redditExtraSchema, isValidUserAgent, USER_AGENT_PATTERN, type RedditConnectionExtra } from './connection.js';
export {
  RedditHook,
  REDDIT_DEFAULT_CONNECTION_ID,
  clearRedditTokenCache,
  type RedditHookContext,
  type RedditHookOptions,
  type QueryParams,
} from './hooks/reddit.js';
export { requestAccessToken, type AccessToken, type TokenRequest } from './hooks/token.js';
export { RedditRateLimiter, rateLimiterFor, resetRateLimiters, REDDIT_DEFAULT_BUDGET, type RateLimitState } from './rate-limiter.js';
export { systemTime, type RedditTime } from './time.js';
export { backoffDelay, isRetryableStatus, retryAfterMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export {
  LISTING_SORTS,
  LISTING_TIME_FILTERS,
  LISTING_CEILING,
  PAGE_LIMIT,
  paginateListing,
  parseListing,
  subredditListingPath,
  type ListingSort,
  type ListingTimeFilter,
  type ListingPage,
  type PaginationEnd,
  type PaginationResult,
} from './listing.js';
export { normalizePost, acceptPost, rawPostSchema, type RedditPost, type MalformedPolicy, type NormalizeResult, type RecordCounts } from './records.js';
export { extractMediaUrls, DIRECT_IMAGE_HOSTS, type RedditMediaUrl, type RedditMediaKind } from './media.js';
export { fetchComments, rawCommentSchema, MORE_CHILDREN_BATCH, type RedditComment, type FetchCommentsOptions, type CommentsResult } from './comments.js';
export {
  redditSubredditPosts,
  subredditPostsFields,
  isStagedPostsOutput,
  type SubredditPostsOutput,
  type SubredditPostsStagedOutput,
  type SubredditPostsResult,
  type SubredditPostsFieldsInput,
  type SubredditPostsCounts,
  type RedditHighWaterMark,
} from './operators/subreddit-posts.js';
export {
  redditPostComments,
  postCommentsFields,
  type PostCommentsStagedOutput,
  type PostCommentsResult,
  type PostCommentsFieldsInput,
} from './operators/post-comments.js';
export { stageFieldSchema, stageRecords, type RedditStageInput, type RedditStageOptions, type RedditStagedLocation } from './stage.js';
export { redditMediaUrls, mediaUrlsFields, selectMedia, type RedditMediaItem } from './operators/media-urls.js';
