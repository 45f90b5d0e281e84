// Members: who they are (age, sex). The population is the one a DXA program serves: mostly
// 45–90, mostly women.
import { WeightedChoice, type Random } from "./prng";

export type Sex = "F" | "M" | "U";

export interface Member {
  /** 1-based position in the data set. */
  number: number;
  id: string;
  birthDay: number;
  sex: Sex;
}

const AGE_BANDS = new WeightedChoice<readonly [number, number]>([
  [[18, 44], 8],
  [[45, 64], 32],
  [[65, 85], 50],
  [[86, 90], 6],
  [[91, 101], 4],
]);

const SEXES = new WeightedChoice<Sex>([
  ["F", 68],
  ["M", 30],
  ["U", 2],
]);

const DAYS_PER_YEAR = 365.2425;

export function memberId(memberNumber: number): string {
  return `M${String(memberNumber).padStart(7, "0")}`;
}

/** A member aged 18–101 on `today`, so the birth date is never after it. */
export function makeMember(rng: Random, memberNumber: number, today: number): Member {
  const [youngest, oldest] = AGE_BANDS.draw(rng);
  const age = rng.int(youngest, oldest);
  const birthDay = today - Math.floor(age * DAYS_PER_YEAR) - rng.int(0, 364);
  return { number: memberNumber, id: memberId(memberNumber), birthDay, sex: SEXES.draw(rng) };
}

/** Age in (approximately) completed years; precise enough to steer the story. */
export function ageOn(member: Member, day: number): number {
  return Math.floor((day - member.birthDay) / DAYS_PER_YEAR);
}
