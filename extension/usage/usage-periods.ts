import type { UsageRange } from './protocol.js';

/** The ledger rolls up by UTC day, so every period here is made of UTC days (YYYY-MM-DD). */
export const utcDay = (time: Date): string => time.toISOString().slice(0, 10);

export const addDays = (day: string, count: number): string => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + count);
  return utcDay(date);
};

/** Every day from `fromDay` to `toDay`, both included. */
export const daysBetween = (fromDay: string, toDay: string): string[] => {
  const days: string[] = [];
  for (let day = fromDay; day <= toDay; day = addDays(day, 1)) days.push(day);
  return days;
};

export interface DayRange {
  fromDay: string;
  toDay: string;
}

export const todayRange = (now: Date): DayRange => ({ fromDay: utcDay(now), toDay: utcDay(now) });

/** Today and the six days before it. */
export const lastDaysRange = (now: Date, count: number): DayRange => ({ fromDay: addDays(utcDay(now), 1 - count), toDay: utcDay(now) });

/** From the first of this UTC month to today. */
export const monthRange = (now: Date): DayRange => ({ fromDay: `${utcDay(now).slice(0, 8)}01`, toDay: utcDay(now) });

export const rangeFor = (range: UsageRange, now: Date): DayRange => {
  switch (range) {
    case '7d':
      return lastDaysRange(now, 7);
    case '30d':
      return lastDaysRange(now, 30);
    case '90d':
      return lastDaysRange(now, 90);
    case 'month':
      return monthRange(now);
  }
};
