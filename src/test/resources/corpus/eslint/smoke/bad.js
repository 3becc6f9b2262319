const unused = 1;
module.exports = undefinedThing;
