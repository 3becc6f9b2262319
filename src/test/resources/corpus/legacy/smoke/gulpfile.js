const { src, dest } = require('gulp');
exports.copy = () => src('src/*.txt').pipe(dest('out/'));
