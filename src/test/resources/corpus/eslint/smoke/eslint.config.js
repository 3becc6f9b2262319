module.exports = [
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { 'no-unused-vars': 'error', 'no-undef': 'error' },
  },
];
