import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modeOf } from '../../extension/chat/model-mode.js';

test('a model is used for what its catalog modalities say; embedding-only models are not offered', () => {
  assert.equal(modeOf(['text', 'vision']), 'chat');
  assert.equal(modeOf(['text', 'image']), 'chat');
  assert.equal(modeOf(['image']), 'image');
  assert.equal(modeOf(['audio-speech']), 'speech');
  assert.equal(modeOf(['audio-transcription']), 'transcription');
  assert.equal(modeOf(['video']), 'video');
  assert.equal(modeOf(['embedding']), undefined);
  assert.equal(modeOf([]), undefined);
});
