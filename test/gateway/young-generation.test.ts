import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { userSizedYoungGeneration, YOUNG_GENERATION_CAP_BYTES } from '../../proxy/cli/young-generation.js';

const moduleUrl = new URL('../../proxy/cli/young-generation.ts', import.meta.url).href;

/** A child process that keeps a share of what it allocates alive (so V8 grows its young
 * generation), with or without the cap; prints the young generation's size in bytes. */
const youngGenerationAfterLoad = (capped: boolean): number => {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const loaded = await import(${JSON.stringify(moduleUrl)});
    const { capYoungGeneration } = loaded.capYoungGeneration ? loaded : loaded.default;
    if (${capped}) capYoungGeneration({});
    const kept = [];
    for (let round = 0; round < 40; round += 1) {
      for (let index = 0; index < 100_000; index += 1) {
        const item = { index, text: 'x' + index };
        if (index % 3 === 0) kept.push(item);
        if (kept.length > 200_000) kept.length = 0;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size);
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)), env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(result.status, 0, result.stderr);
  return Number(result.stdout.trim());
};

test('the CLI keeps the young generation at 16 MB where V8 alone grows it further', () => {
  assert.ok(youngGenerationAfterLoad(false) > YOUNG_GENERATION_CAP_BYTES, 'without the cap the load grows the young generation past 16 MB');
  assert.ok(youngGenerationAfterLoad(true) <= YOUNG_GENERATION_CAP_BYTES);
});

test('a size the user set with a Node flag is left alone', () => {
  assert.equal(userSizedYoungGeneration(['--max-semi-space-size=64']), true);
  assert.equal(userSizedYoungGeneration([], '--max_semi_space_size=2 --trace-gc'), true);
  assert.equal(userSizedYoungGeneration(['--expose-gc'], '--max-old-space-size=512'), false);
});
