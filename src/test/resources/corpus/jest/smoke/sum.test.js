const sum = (a, b) => a + b;
test('adds', () => {
  expect(sum(2, 3)).toBe(5);
  expect({ list: [1, 2] }).toEqual({ list: [1, 2] });
});
