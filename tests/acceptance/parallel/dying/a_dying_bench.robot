*** Settings ***
Documentation     Runs on the bench tagged ``mortal`` and kills its ECU half-way: the tests after that
...               fail with the ECU's silence as the reason, and `Release Bench` disables the bench for
...               the rest of the run.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    mortal
Suite Teardown    Release Bench


*** Test Cases ***
ECU Answers While Alive
    [Documentation]    The bench works at first.
    Read DID    VIN

ECU Dies
    [Documentation]    The simulated ECU stops answering for good.
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'not_responding', True)

VIN Read After Death
    [Documentation]    Fails: the ECU does not answer any more.
    Read DID    VIN

Session Change After Death
    [Documentation]    Fails: the ECU does not answer any more.
    Change Session    extended
