module.exports = require('../../webpack.server')('midtier');
