// One SoftHSM token directory serves every test of this assembly, and SoftHSM 2.6.1 aborts the whole process
// (SlotManager.cpp:82, "Assertion `result.second' failed") when one test re-initializes while another moves a
// token directory away. Running test classes one at a time removes that race; CI saw it crash the test host.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
