"""The methods, one module each: CoOp and CSC, CoCoOp, the linear probe, the successors, MaPLe."""
