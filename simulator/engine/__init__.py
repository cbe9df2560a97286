"""The simulation engine: the spec a run is built from, the SimPy model and its entities (suppliers,
plants and lines, warehouses, carriers, customers), and the records a run writes. It never imports
the analysis or application layers."""
