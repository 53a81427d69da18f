import module from 'node:module';

// Where the Node line has it (22.1 and later), compiled code is kept on disk between starts: most
// of a start is compiling the modules, Bolt's included. Node 20 has no such cache and goes on.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./run.js');
