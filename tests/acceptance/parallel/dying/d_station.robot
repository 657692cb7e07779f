*** Settings ***
Documentation     An ordinary suite: it must pass on whichever working bench it gets.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu
Suite Teardown    Release Bench


*** Test Cases ***
VIN Is Readable
    [Documentation]    The ECU answers with its VIN.
    ${vin} =    Read DID    VIN
    Length Should Be    ${vin}    17

ECU Keeps Answering
    [Documentation]    Holds the bench for a while, so that suites overlap in time.
    Sleep    1 s
    Bench Should Answer
