'use strict';
// The scenario category's reference launcher: `node scenario.js JS_PATH PY_PATH` runs the
// JS half of one scenario (conformance/scenario_driver.py passes both halves' paths; the
// Python launcher, conformance/scenario_py.py, takes the other one).
const path = require('path');

require(path.resolve(process.argv[2]));
