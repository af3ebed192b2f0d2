import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../src/authoring/schedule.js';
import { describeSchedule } from '../../src/scheduling/intervals.js';

const cron = (expression: string): ScheduleSpec => ({ kind: 'cron', expression });

describe('describeSchedule', () => {
  it.each<[ScheduleSpec, string, string]>([
    [{ kind: 'none' }, 'UTC', 'manual only'],
    [{ kind: 'once' }, 'UTC', 'once'],
    [{ kind: 'assets', uris: ['s3://bucket/raw'] }, 'UTC', 'on assets s3://bucket/raw'],
    [{ kind: 'assets', uris: ['s3://bucket/raw', 'redshift://c/db/t'] }, 'UTC', 'on assets s3://bucket/raw, redshift://c/db/t'],
    [{ kind: 'interval', everyMs: 15 * 60_000 }, 'UTC', 'every 15 minutes'],
    [{ kind: 'interval', everyMs: 3_600_000 }, 'UTC', 'every hour'],
    [{ kind: 'interval', everyMs: 90 * 60_000 }, 'UTC', 'every 90 minutes'],
    [{ kind: 'interval', everyMs: 2 * 86_400_000 }, 'UTC', 'every 2 days'],
    [{ kind: 'interval', everyMs: 604_800_000 }, 'UTC', 'every week'],
    [{ kind: 'interval', everyMs: 45_000 }, 'UTC', 'every 45 seconds'],
    [{ kind: 'interval', everyMs: 1500 }, 'UTC', 'every 1500 milliseconds'],
    [cron('0 0 * * *'), 'UTC', 'every day at 00:00 (UTC)'],
    [cron('@daily'), 'Europe/Berlin', 'every day at 00:00 (Europe/Berlin)'],
    [cron('30 6 * * *'), 'UTC', 'every day at 06:30 (UTC)'],
    [cron('0 6,18 * * *'), 'UTC', 'every day at 06:00 and 18:00 (UTC)'],
    [cron('* * * * *'), 'UTC', 'every minute'],
    [cron('*/15 * * * *'), 'UTC', 'every 15 minutes'],
    [cron('0 * * * *'), 'UTC', 'every hour'],
    [cron('30 * * * *'), 'UTC', 'at 30 minutes past every hour'],
    [cron('0,30 * * * *'), 'UTC', 'at 0 and 30 minutes past every hour'],
    [cron('0 */2 * * *'), 'UTC', 'every 2 hours'],
    [cron('15 */6 * * *'), 'UTC', 'every 6 hours at 15 minutes past the hour'],
    [cron('0 9 * * 1-5'), 'America/New_York', 'every weekday at 09:00 (America/New_York)'],
    [cron('0 9 * * 1'), 'UTC', 'every Monday at 09:00 (UTC)'],
    [cron('0 9 * * MON,THU'), 'UTC', 'every Monday and Thursday at 09:00 (UTC)'],
    [cron('0 10 * * 0,6'), 'UTC', 'every Saturday and Sunday at 10:00 (UTC)'],
    [cron('0 10 * * 2-4'), 'UTC', 'every Tuesday to Thursday at 10:00 (UTC)'],
    [cron('0 0 * * 7'), 'UTC', 'every Sunday at 00:00 (UTC)'],
    [cron('@weekly'), 'UTC', 'every Sunday at 00:00 (UTC)'],
    [cron('@monthly'), 'UTC', 'on the 1st of every month at 00:00 (UTC)'],
    [cron('0 6 1,15 * *'), 'UTC', 'on the 1st and 15th of every month at 06:00 (UTC)'],
    [cron('0 6 22 * *'), 'UTC', 'on the 22nd of every month at 06:00 (UTC)'],
    [cron('0 6 L * *'), 'UTC', 'on the last day of every month at 06:00 (UTC)'],
    [cron('@yearly'), 'UTC', 'every year on January 1 at 00:00 (UTC)'],
    [cron('0 12 25 DEC *'), 'UTC', 'every year on December 25 at 12:00 (UTC)'],
    [cron('* * * * * *'), 'UTC', 'every second'],
    [cron('*/10 * * * * *'), 'UTC', 'every 10 seconds'],
    [cron('0 */5 * * * *'), 'UTC', 'every 5 minutes'],
    [cron('30 0 9 * * *'), 'UTC', 'every day at 09:00:30 (UTC)'],
    [cron('5-10 * * * *'), 'UTC', "cron '5-10 * * * *' (UTC)"],
    [cron('0 9 1 * 1'), 'Europe/Berlin', "cron '0 9 1 * 1' (Europe/Berlin)"],
    [cron('30 * * * * *'), 'UTC', "cron '30 * * * * *' (UTC)"],
    [cron('0 0 * * 1#2'), 'UTC', "cron '0 0 * * 1#2' (UTC)"],
    [cron('garbage'), 'UTC', "cron 'garbage' (UTC)"],
  ])('%j in %s → %s', (schedule, timezone, expected) => {
    expect(describeSchedule(schedule, timezone)).toBe(expected);
  });
});
