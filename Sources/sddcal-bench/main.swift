print("sddcal-bench")
