import assert from 'node:assert/strict';
import { expectedLedger } from './ledger.js';
import type { Lane } from './lanes.js';
import { differences, neutralView, type NeutralView } from './neutral-view.js';
import { OVERLOADED_AS_503, project, unionOf, UNREPORTED_USAGE, type Projection } from './projections.js';
import type { ParityRecording } from './recordings.js';

/** Projections every comparison involving this recording gets, whatever the lanes. */
export const recordingProjections = (recording: ParityRecording): Projection[] => [OVERLOADED_AS_503, ...(recording.answer.usage ? [] : [UNREPORTED_USAGE])];

/** The view every lane must give for a recording: its own reading, and the ledger it calls for. */
export const expectedView = (recording: ParityRecording): NeutralView => neutralView(recording.answer, expectedLedger(recording));

/** Where a lane's view differs from the recording's, each side projected for the lane. */
export const differencesFromRecording = (view: NeutralView, recording: ParityRecording, lane: Lane): string[] => {
  const projections = unionOf(recordingProjections(recording), lane.projections);
  return differences(project(view, projections), project(expectedView(recording), projections));
};

export const assertSameAsRecording = (view: NeutralView, recording: ParityRecording, lane: Lane): void => {
  const projections = unionOf(recordingProjections(recording), lane.projections);
  const actual = project(view, projections);
  const expected = project(expectedView(recording), projections);
  assert.deepEqual(actual, expected, `${lane.name} differs from ${recording.name} at ${differences(actual, expected).join(', ')}`);
};

/** Two lanes' views of one recording, each projected for both lanes. */
export const assertLanesAgree = (recording: ParityRecording, first: { lane: Lane; view: NeutralView }, second: { lane: Lane; view: NeutralView }): void => {
  const projections = unionOf(recordingProjections(recording), first.lane.projections, second.lane.projections);
  const firstView = project(first.view, projections);
  const secondView = project(second.view, projections);
  assert.deepEqual(firstView, secondView, `${first.lane.name} and ${second.lane.name} differ at ${differences(firstView, secondView).join(', ')}`);
};
