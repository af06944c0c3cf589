module.exports = require('../../webpack.server')('hub');
