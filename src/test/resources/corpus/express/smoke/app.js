// Starts an express 4 app on a free port, requests it over HTTP and prints what came back.
const http = require('http');
const express = require('express');
const app = express();
app.use(express.json());
app.post('/echo/:word', (req, res) => res.json({ word: req.params.word, body: req.body }));
const server = app.listen(0, '127.0.0.1', () => {
  const req = http.request(
    { host: '127.0.0.1', port: server.address().port, path: '/echo/hello', method: 'POST',
      headers: { 'content-type': 'application/json' } },
    (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        console.log(`express ${require('express/package.json').version} answered ${res.statusCode} ${text}`);
        server.close();
      });
    });
  req.end(JSON.stringify({ n: 42 }));
});
