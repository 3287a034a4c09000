module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stream-consumer',
};
