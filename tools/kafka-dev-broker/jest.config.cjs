module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'kafka-dev-broker',
};
