# tsgi serve on Bun, through its Node.js compatibility; a TypeScript app loads natively.
# @tsgi/cli installed in /srv/tsgi (npm install @tsgi/cli), in the foreground:
bun /srv/tsgi/node_modules/@tsgi/cli/bin/tsgi.cjs serve /srv/tsgi/app.ts --bind 127.0.0.1:8000
