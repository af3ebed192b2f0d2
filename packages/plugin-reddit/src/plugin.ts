import { definePlugin } from '@sluice/core';
import { redditExtraSchema } from './connection.js';

/** npm name of this plugin. */
export const pluginName = '@sluice/plugin-reddit';
/** Version of this plugin (kept in step with package.json). */
export const pluginVersion = '0.1.0';

/** The plugin manifest: the Reddit hook, its connection type and the operators. */
export const plugin = definePlugin({
  manifest: {
    name: pluginName,
    version: pluginVersion,
    description: "Reddit API extraction: posts, comments and media URLs, paced by Reddit's rate-limit headers",
    operators: [
      { name: 'reddit.subreddit-posts', description: 'Posts of a subreddit listing, paginated, optionally incremental' },
      { name: 'reddit.post-comments', description: 'Comments of a post, more stubs expanded, flattened with depth' },
      { name: 'reddit.media-urls', description: 'Image/media URLs of posts for a download step' },
    ],
    hooks: [{ name: 'RedditHook', connectionType: 'reddit', description: 'OAuth2 client of the Reddit API' }],
    connectionTypes: [
      {
        type: 'reddit',
        description: 'A Reddit app (script or app-only)',
        fields: { login: 'Client id', password: 'Client secret' },
        extraSchema: redditExtraSchema,
      },
    ],
  },
});
