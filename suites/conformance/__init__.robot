*** Settings ***
Documentation    ISO 14229-1 (UDS on CAN) conformance of the ECU on the bench in ``${BENCH}``.
...
...              One suite per service plus the cross-service rules, covering every case of
...              docs/conformance-catalogue.md. Test names start with the catalogue id (``TC3E05``);
...              tags give the service (``sid:0x3E``), the rule (``nrc``, ``sprmib``, ``timing``,
...              ``session``, ``security``, ``sequence``, ``length``, ``positive``, ``fault``) and the
...              addressing (``physical``, ``functional``). Every suite acquires a bench itself and every
...              case starts from the ECU's power-on state, so suites and cases run in any order and in
...              parallel on several benches (``pabot``).
...
...              Run against another bench with ``robot --variable BENCH:resources/benches/sim-2.yaml
...              suites/conformance``. What is specific to the ECU comes from the bench's ECU description
...              (resources/conformance_variables.py); cases the ECU cannot support are skipped with the
...              reason.
...
...              On a bench without a simulated ECU every case starts with a hard reset instead of a fresh
...              simulator, the fault-injection cases are skipped, and the cases that leave a real ECU
...              changed restore it (failed security attempts, written DIDs); cleared DTCs stay cleared.

Test Tags        conformance
