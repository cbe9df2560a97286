"""Disruption scenarios (supplier failure, congestion, demand spikes...) acting on a running model."""
