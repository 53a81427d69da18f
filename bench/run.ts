// The benchmark against a bare Bolt app is built in its own issue; until then say so plainly.
process.stdout.write('npm run bench: not yet — the benchmark against a bare Bolt app is not built yet.\n');
