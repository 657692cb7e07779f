*** Settings ***
Documentation     Reads the identification of whichever bench pabot hands out.

Resource          ../../../../resources/bench.resource

Suite Setup       Acquire Bench    demo-ecu
Suite Teardown    Release Bench


*** Test Cases ***
VIN Is Readable
    [Documentation]    The VIN has 17 characters.
    ${vin} =    Read DID    VIN
    Length Should Be    ${vin}    17

Part Number Is Readable
    [Documentation]    The spare part number is not empty.
    ${part} =    Read DID    sparePartNumber
    Should Not Be Empty    ${part}

Bench Stays Reserved While The Suite Runs
    [Documentation]    Holds the bench for a while, so that suites overlap in time.
    Sleep    1 s
    Bench Should Answer
