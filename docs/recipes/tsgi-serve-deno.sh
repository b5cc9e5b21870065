# tsgi serve on Deno, through its Node.js compatibility; a TypeScript app loads natively.
# @tsgi/cli installed in /srv/tsgi (npm install @tsgi/cli): Deno resolves bare imports from
# node_modules by itself inside a package (a directory with a package.json), as /srv/tsgi is.
deno run -A /srv/tsgi/node_modules/@tsgi/cli/bin/tsgi.cjs serve /srv/tsgi/app.ts --bind 127.0.0.1:8000
