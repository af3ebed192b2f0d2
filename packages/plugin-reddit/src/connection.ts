import { z } from 'zod';

/**
 * Reddit's required user agent: `<platform>:<app id>:<version> (by /u/<username>)`,
 * e.g. `linux:com.example.sluice:v1.0.0 (by /u/example_user)`.
 */
export const USER_AGENT_PATTERN = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+ \(by \/u\/[A-Za-z0-9_-]{3,20}\)$/;

/** True when `userAgent` has the form Reddit requires. */
export function isValidUserAgent(userAgent: string): boolean {
  return USER_AGENT_PATTERN.test(userAgent);
}

/**
 * `extra` of a `reddit` connection. The client id is the connection's `login`, the client secret its
 * `password`. `username`/`password` are the Reddit account of a script app (password grant); without them
 * the hook uses the app-only `client_credentials` grant.
 */
export const redditExtraSchema = z.object({
  user_agent: z
    .string({ error: 'is required: Reddit refuses requests without a descriptive user agent' })
    .refine(isValidUserAgent, 'must look like "<platform>:<app id>:<version> (by /u/<username>)"'),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  grant_type: z.enum(['password', 'client_credentials']).optional(),
  auth_base_url: z.url().default('https://www.reddit.com'),
  api_base_url: z.url().default('https://oauth.reddit.com'),
});

/** Parsed `extra` of a `reddit` connection. */
export type RedditConnectionExtra = z.output<typeof redditExtraSchema>;
