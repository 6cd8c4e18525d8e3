"""What tests, the demo and the benchmarks run against: the mirror (a folder of saved pages on
127.0.0.1, with faults), the synthetic site, a saved site read as a crawl reads it, the
command line of a crawl, files made by code, records put into an archive as a crawl hands them
over (``stored``), and the peak memory of a process. Never used by a crawl itself."""
