# The slowest tests' measured seconds as CTest COST, read by ctest (tests/schedule/CMakeLists.txt).
# With `ctest -j N` CTest starts the costliest test first, but it knows the costs only from an
# earlier run (build/Testing/Temporary/CTestCostData.txt), which a fresh clone (CI) does not have:
# it would start the tests in the order they were defined and end on a serial tail of real-broker
# tests (one at a time: RESOURCE_LOCK sentinel_real_kafka, ~250 s in all, most of the phase at
# -j4). These figures start that chain and the other long tests first. Names that do not exist
# (a build without integration tests) are ignored.
# Measured: averages of two runs of the normal test phase on 2 cores (ctest -j2 and -j4,
# 2026-12-06, load 2-3), from CTestCostData.txt, rounded; the tests of 15 s and more, and every
# real-broker test. Re-measure when a test's time changes much: run the phase twice and copy the
# figures of CTestCostData.txt.
# No PROCESSORS: the tests that run three daemons wait far more than they compute (three
# sentinel-alerts instances with devkafka and loggen: 1.7 s of CPU in 28 s; under ASan 4.1 s in
# 50 s; three worker-group members 0.5 s in 32 s), so reserving cores for them would only idle.

# Real Apache Kafka broker, one binary at a time.
set_tests_properties(realbroker_alerts_scale_test PROPERTIES COST 65)
set_tests_properties(groups_realbroker_test PROPERTIES COST 54)
set_tests_properties(realbroker_archive_test PROPERTIES COST 45)
set_tests_properties(realbroker_worker_group_test PROPERTIES COST 28)
set_tests_properties(realbroker_config_topic_test PROPERTIES COST 19)
set_tests_properties(realbroker_alerts_test PROPERTIES COST 19)
set_tests_properties(realbroker_agent_test PROPERTIES COST 15)
set_tests_properties(realbroker_distributed_storage_test PROPERTIES COST 13)
set_tests_properties(realbroker_by_time_test PROPERTIES COST 11)

# sentinel-devkafka.
set_tests_properties(AlertsScale.ScalingFromOneToThreeAndBackToOneWhileRecordsFlow
                     PROPERTIES COST 52)
set_tests_properties(AlertsScale.SigkillOfOneOfThreeMidRunLosesAndRepeatsNothing PROPERTIES COST 44)
set_tests_properties(AlertsScale.ThreeInstancesPublishTheAlertsOfOne PROPERTIES COST 43)
set_tests_properties(AlertsDaemon.InstancesShareTheGroupAndHandOverOpenAlertsWithoutDuplicates
                     PROPERTIES COST 30)
set_tests_properties(ArchiveSink.CrashLoopLeavesEveryOffsetExactlyOnceAndEveryLineWhole
                     PROPERTIES COST 28)
set_tests_properties(AlertsScale.TheReferenceHasEveryKindOfRule PROPERTIES COST 28)
set_tests_properties(WorkerGroupDevKafka.ARestartedWorkerWithTheSameIdOwnsSlotsAgain
                     PROPERTIES COST 27)
set_tests_properties(AlertsScale.DrainWithReKeyedRulesEndsOnceEverythingWasRead PROPERTIES COST 25)
set_tests_properties(Package.LintianFindsNoErrorOrWarning PROPERTIES COST 23)
set_tests_properties(WorkerGroupDevKafka.AKilledWorkersSlotsGoToTheOthersAfterTheSessionTimeout
                     PROPERTIES COST 19)
set_tests_properties(DashboardEndToEnd.PageShowsKafkaAndConnectUnreachableAndKafkaRecovery
                     PROPERTIES COST 18)
set_tests_properties(Loggen.CreateTopicsAgainstDevKafkaSaysTheMockCannotCreateTopics
                     PROPERTIES COST 16)
set_tests_properties(Agent.CreateTopicsAgainstTheMockClusterFailsWithAClearExplanation
                     PROPERTIES COST 16)
set_tests_properties(Connect.StateSurvivesSigkillAndWritingContinues PROPERTIES COST 15)

# Distributed sentinel-connect (three workers as processes each; measured 2026-12-06, load ~3).
set_tests_properties(realbroker_distributed_worker_test PROPERTIES COST 25)
set_tests_properties(DevCluster.RollingRestartLosesAndRepeatsNothing PROPERTIES COST 66)
set_tests_properties(DevCluster.SigkilledWorkersTasksMoveAndTheArchivesLoseNothing PROPERTIES COST 50)
set_tests_properties(DevCluster.LifecycleRequestsToOneWorkerActClusterWide PROPERTIES COST 30)
set_tests_properties(DevCluster.ConnectorCreatedOnOneIsSeenAlikeOnAllAndItsTasksSpread
                     PROPERTIES COST 27)

# The scenarios that run three daemons against one sentinel-devkafka run one at a time: started
# together (their costs put them first), four of them with a real broker beside them starved the
# machine, and AlertsScale.ThreeInstancesPublishTheAlertsOfOne saw a duplicate transition (fresh
# clone, ctest -j4, 2026-12-06). Each still runs beside the other, lighter tests.
set_tests_properties(
  AlertsScale.ScalingFromOneToThreeAndBackToOneWhileRecordsFlow
  AlertsScale.SigkillOfOneOfThreeMidRunLosesAndRepeatsNothing
  AlertsScale.ThreeInstancesPublishTheAlertsOfOne
  DevCluster.RollingRestartLosesAndRepeatsNothing
  DevCluster.SigkilledWorkersTasksMoveAndTheArchivesLoseNothing
  DevCluster.LifecycleRequestsToOneWorkerActClusterWide
  DevCluster.ConnectorCreatedOnOneIsSeenAlikeOnAllAndItsTasksSpread
  PROPERTIES RESOURCE_LOCK sentinel_three_instances)
