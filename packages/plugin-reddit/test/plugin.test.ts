import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validatePlugin } from '@sluice/core';
import { plugin, redditMediaUrls, redditPostComments, redditSubredditPosts } from '../src/index.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
};

describe('plugin manifest', () => {
  it('names the package and version of package.json and passes validation', () => {
    expect(plugin.manifest.name).toBe(packageJson.name);
    expect(plugin.manifest.version).toBe(packageJson.version);
    expect(validatePlugin(plugin).manifest.hooks).toEqual([expect.objectContaining({ name: 'RedditHook', connectionType: 'reddit' })]);
  });

  it('lists every operator the package exports', () => {
    const names = [
      redditSubredditPosts({ subreddit: 'typescript' }).operatorName,
      redditPostComments({ postId: 'abc' }).operatorName,
      redditMediaUrls({}).operatorName,
    ];
    expect(plugin.manifest.operators.map((o) => o.name).sort()).toEqual(names.sort());
  });

  it('exports the test kit as a subpath', () => {
    expect(Object.keys(packageJson.exports)).toContain('./testing');
  });
});
