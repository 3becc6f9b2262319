// request fetches a JSON array from a local server, JSONStream parses it as a stream, esprima-fb parses JSX.
const http = require('http');
const request = require('request');
const JSONStream = require('JSONStream');
const esprima = require('esprima-fb');
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify([{ name: 'a' }, { name: 'b' }, { name: 'c' }]));
});
server.listen(0, '127.0.0.1', () => {
  const names = [];
  request(`http://127.0.0.1:${server.address().port}/list`)
    .pipe(JSONStream.parse('*.name'))
    .on('data', (n) => names.push(n))
    .on('end', () => {
      const jsx = esprima.parse('var el = <div className="x">hi</div>;');
      console.log(`legacy ${names.join(',')} ${jsx.body[0].declarations[0].init.type}`);
      server.close();
    });
});
