// Preloaded (`node --require`) by bench/old-generation.mjs into a server under test: SIGUSR2
// starts V8's sampling heap profiler, keeping only objects that no minor GC collected (those that
// reached the old generation, and any still alive at the end); a second SIGUSR2 stops it and
// writes the profile to $TSGI_OLD_GENERATION_OUT. CommonJS, so that it loads before the server's
// own modules with `--require`.
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new Session();
session.connect();
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    const params = {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    };
    session.post('HeapProfiler.startSampling', params, (err) => {
      process.stderr.write(err ? `old-generation: ${err.message}\n` : 'old-generation: sampling\n');
    });
    return;
  }
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) process.stderr.write(`old-generation: ${err.message}\n`);
    else writeFileSync(process.env.TSGI_OLD_GENERATION_OUT, JSON.stringify(result.profile));
    process.stderr.write('old-generation: written\n');
  });
});
