#!/usr/bin/env node
// `npx custodian …` — the operator CLI (start, verify, …) run from the TypeScript sources.
require('./register.cjs');
require('../apps/custodian/src/main.ts');
