// LineFitting module: see the README section of the same name.
