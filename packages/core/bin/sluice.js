#!/usr/bin/env node
// Thin launcher so the bin exists before the first build; the CLI itself is compiled to dist/.
await import('../dist/cli/main.js');
