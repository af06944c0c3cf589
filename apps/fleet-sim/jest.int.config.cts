// The unit config, narrowed to the int-spec files it leaves out.
const unit = require('./jest.config.cts');

module.exports = { ...unit, displayName: 'fleet-sim:int', testMatch: ['<rootDir>/src/**/*.int-spec.ts'], testTimeout: 60_000 };
