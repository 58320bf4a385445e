import SDDCore

/// The tests' seeded random numbers: the simulator's own generator (xoshiro256**, Poisson by PTRS).
typealias TestRandom = SeededGenerator
