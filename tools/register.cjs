// Runs the TypeScript sources directly: SWC compiles each module on load, honouring the
// workspace tsconfig (decorator metadata for Nest DI, and the @custodian/* path aliases).
const path = require('node:path');
process.env.SWC_NODE_PROJECT = path.join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
require('reflect-metadata');
