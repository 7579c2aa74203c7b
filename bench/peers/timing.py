"""The timing every peer script shares: the median of REPS calls, each
timed alone (warm-up calls, compilation included, are the caller's)."""
import statistics
import time


def median_seconds(call, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
