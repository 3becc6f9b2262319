// Bundled by browserify: each require below is the npm package of that core-module name, not Node's own module.
const EventEmitter = require('events');
const { Buffer } = require('buffer');
const { StringDecoder } = require('string_decoder');
const punycode = require('punycode');
const url = require('url');
const util = require('util');
const assert = require('assert');
const e = new EventEmitter();
e.on('x', (v) => {
  assert.strictEqual(v, 1);
  const euro = new StringDecoder('utf8').write(Buffer.from([0xe2, 0x82, 0xac]));
  console.log(['bundle', punycode.version, punycode.toASCII('mañana.com'), url.parse('http://a.example/p?q=1').pathname,
    util.format('%s=%d', 'n', 7), euro, process.browser].join(' '));
});
e.emit('x', 1);
