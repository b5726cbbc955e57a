import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertLanesAgree, assertSameAsRecording, differencesFromRecording } from './compare.js';
import { startParityHarness, type ParityHarness } from './harness.js';
import { isCellDrift, KNOWN_DRIFT, type CellDrift } from './known-drift.js';
import { LANES, type Lane } from './lanes.js';
import type { NeutralView } from './neutral-view.js';
import { loadRecordings, NOT_CHAT, recordingFiles, type Mode, type ParityRecording } from './recordings.js';

/** The lane parity matrix: every chat recording, through every lane that can serve it (lanes.ts),
 * in every mode it can be asked in, must give the recording's own view (its reading by an oracle
 * of its dialect) and the same view as every other lane, up to the named projections a lane's
 * format needs (projections.ts). What fails on today's gateway is listed in KNOWN_DRIFT
 * (known-drift.ts), expected to fail, and fails the run once it passes. */

const recordings = loadRecordings();
let harness: ParityHarness;

before(async () => {
  harness = await startParityHarness(recordings);
});

after(() => harness.close());

const MODES: readonly Mode[] = ['whole', 'streamed', 'split'];

/** A lane that never ends its answer fails its cell instead of holding up the run. Generous: on a
 * machine shared with other work, a large recording split into pieces takes seconds. */
const CELL_TIMEOUT_MS = 120_000;

/** The KNOWN_DRIFT entries naming a cell (a cell may drift for more than one reason). */
const driftOf = (recording: ParityRecording, lane: Lane, mode: Mode): CellDrift[] =>
  KNOWN_DRIFT.filter(isCellDrift).filter((entry) => entry.recordings.test(recording.name) && entry.lanes.test(lane.name) && entry.modes.includes(mode));

/** Views of the cells that ran and are not listed as drift, for the lanes-agree comparison. */
const views = new Map<string, NeutralView>();

const cellName = (recording: ParityRecording, lane: Lane, mode: Mode): string => `${recording.name} | ${lane.name} | ${mode}`;

const checkCell = async (recording: ParityRecording, lane: Lane, mode: Mode): Promise<void> => {
  const view = await lane.run(recording, mode, harness);
  const drifts = driftOf(recording, lane, mode);
  if (drifts.length === 0) {
    views.set(cellName(recording, lane, mode), view);
    assertSameAsRecording(view, recording, lane);
    return;
  }
  const found = differencesFromRecording(view, recording, lane);
  const listed = drifts.flatMap((drift) => drift.differs);
  assert.notEqual(found.length, 0, `listed in KNOWN_DRIFT (${drifts.map((drift) => drift.reason).join('; ')}) but now equals the recording: remove the entry`);
  const unexplained = found.filter((path) => !listed.some((prefix) => path.startsWith(prefix)));
  assert.deepEqual(unexplained, [], `listed in KNOWN_DRIFT for ${listed.join(', ')}, but also differs at ${unexplained.join(', ')}`);
};

test('every file in the recording folders is a chat recording in the matrix or listed as not chat', () => {
  const files = recordingFiles();
  for (const path of Object.keys(NOT_CHAT)) assert.ok(files.includes(path), `NOT_CHAT lists ${path}, which is gone`);
  const names = new Set(recordings.map((recording) => recording.name.split('#')[0]));
  for (const path of files) assert.ok(NOT_CHAT[path] || names.has(path), `${path} is not replayed`);
});

/** Recordings run a few at a time: most of a cell's time is the event loop turning between the
 * split pieces, which several cells share. A recording's own cells run in order, then the
 * comparison of its lanes. */
const RECORDINGS_AT_ONCE = 4;

describe('lane parity matrix', { concurrency: RECORDINGS_AT_ONCE }, () => {
  for (const recording of recordings) {
    describe(recording.name, () => {
      for (const mode of MODES) {
        const lanes = LANES.filter((lane) => lane.canServe(recording, mode));
        for (const lane of lanes) test(`${lane.name} | ${mode}`, { timeout: CELL_TIMEOUT_MS }, () => checkCell(recording, lane, mode));
        if (lanes.length < 2) continue;
        test(`${mode}: every lane agrees with every other`, () => {
          const ran = lanes.flatMap((lane) => {
            const view = views.get(cellName(recording, lane, mode));
            return view ? [{ lane, view }] : [];
          });
          for (const [position, first] of ran.entries()) for (const second of ran.slice(position + 1)) assertLanesAgree(recording, first, second);
        });
      }
    });
}
});

test('every KNOWN_DRIFT cell entry names a cell of the matrix', () => {
  const cells = recordings.flatMap((recording) => MODES.flatMap((mode) => LANES.filter((lane) => lane.canServe(recording, mode)).map((lane) => ({ recording, lane, mode }))));
  const stale = KNOWN_DRIFT.filter(isCellDrift).filter((entry) => !cells.some(({ recording, lane, mode }) => driftOf(recording, lane, mode).includes(entry)));
  assert.deepEqual(
    stale.map((entry) => entry.reason),
    [],
  );
});
