"""The random-feature test loss (Maloney-Roberts-Sully model, Zhang 2024)."""
