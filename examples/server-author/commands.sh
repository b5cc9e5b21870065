# From examples/server-author (after `pnpm install` at the repository's root): the example
# server hosts the conformance probe on port 8000, then the suite runs against it.
npx tsx host-probe.ts 8000 &
npx tsgi-conformance server --url http://127.0.0.1:8000 --json report.json
