#!/usr/bin/env node
/** The `analyze` bin: the same as `logjam analyze …`. */
import { main } from './main.js';

main(['analyze', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
