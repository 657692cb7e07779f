*** Settings ***
Documentation    DIDs, routines and DTCs against the simulated ECU SIM-1 (bench sim-1, ``ci`` profile).
...
...              Demo ECU facts used: VIN F190 (ascii 17, written in extended + level 01), variantCode F101
...              (uint 1, allowed 1..5), securedData 0101 (extended + level 01), extendedOnlyCounter 0102,
...              vehicleSpeed F40D and engineSpeed F40C (uint with unit); routines selfTest 1234, 0203 (start
...              only), eolCalibration A001 (asynchronous, 300 ms), eraseMemory FF00 (blocking, 0x78); DTCs
...              P0123-45 (status 09), U0001-12 (2F, snapshot and extended data), B1A0B-13 (50).
...              Every test gets a fresh connection, so a freshly booted ECU.

Library          Collections
Library          OperatingSystem
Library          UdsLibrary

Test Setup       Open UDS Connection    ${BENCH}
Test Teardown    Close All UDS Connections


*** Variables ***
${BENCH}           ${CURDIR}/../../resources/benches/sim-1.yaml
${DEMO_VIN}        WVWZZZ1JZXW000001
${NEW_VIN}         WVWZZZ1JZXW000002
${ERASE_OPTION}    44 00 01 00 00 00 00 10 00
${P0123_TEXT}      Mass or volume air flow circuit range/performance
${U0001_TEXT}      Lost communication with engine control module


*** Test Cases ***
Read One DID By Name Or Number
    [Documentation]    A name from the ECU description and the hex number in any spelling read the same DID.
    FOR    ${did}    IN    VIN    F190    0xF190    f190    vin
        ${vin} =    Read DID    ${did}
        Should Be Equal    ${vin}    ${DEMO_VIN}
    END
    ${serial} =    Read DID    ecuserialnumber
    Should Be Equal    ${serial}    SN00000042

Read Several DIDs In One Request
    [Documentation]    Several DIDs go out in ONE ReadDataByIdentifier request and come back as a dictionary.
    ${before} =    Simulator Request Count
    ${values} =    Read DID    VIN    ecuSerialNumber    F187    vehicleSpeed
    Simulator Request Count Should Be    ${before + 1}
    Should Be Equal    ${values}[VIN]    ${DEMO_VIN}
    Should Be Equal    ${values}[ecuSerialNumber]    SN00000042
    Should Be Equal    ${values}[sparePartNumber]    03L906018A
    Should Be Equal    ${values}[vehicleSpeed]    ${50}

Read DID Decodes Numbers Or Returns Raw Hex
    [Documentation]    uint DIDs come back as numbers (unit in the log); ``raw=True`` returns the data bytes as hex.
    ${speed} =    Read DID    vehicleSpeed
    Should Be Equal    ${speed}    ${50}
    ${data} =    Read DID    vehicleSpeed    raw=True
    Should Be Equal    ${data}    00 32
    ${values} =    Read DID    F40D    F40C    raw=True
    Should Be Equal    ${values}[vehicleSpeed]    00 32
    Should Be Equal    ${values}[engineSpeed]    0B B8

Read DID Without An ECU Description Returns Hex
    [Documentation]    A second tester on the same bus, opened without a description: hex in, hex out.
    Open UDS Connection    interface=virtual    channel=sim-1    request_id=7E0    response_id=7E8    alias=bare
    ${vin} =    Read DID    F190
    Should Be Equal    ${vin}    57 56 57 5A 5A 5A 31 4A 5A 58 57 30 30 30 30 30 31
    ${values} =    Read DID    F190    F40D
    Should Be Equal    ${values}[F40D]    00 32
    Dictionary Should Contain Key    ${values}    F190
    Run Keyword And Expect Error
    ...    DID 'VIN' is not a hex number, and DID names need an ECU description (this connection has none)
    ...    Read DID    VIN

Unknown DID Name Is Rejected Before Anything Is Sent
    [Documentation]    Unknown names fail with the closest names of the description; the ECU sees no request.
    ${before} =    Simulator Request Count
    Run Keyword And Expect Error
    ...    unknown DID 'VINN': neither a hex number nor a DID of ECU description 'SIM-1'; did you mean VIN?
    ...    Read DID    VINN
    Run Keyword And Expect Error    unknown DID 'vehicleSped'*vehicleSpeed*    Read DID    F190    vehicleSped
    Run Keyword And Expect Error    DID 0x1F190 is out of range (0x0-0xFFFF)    Read DID    1F190
    Simulator Request Count Should Be    ${before}

Read DID Fails On A Negative Response
    [Documentation]    A negative response fails the keyword unless ``expected_nrc`` names it.
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) rejected 22 01 02 (0x22 ReadDataByIdentifier) with NRC 0x31 requestOutOfRange*
    ...    Read DID    0102
    ${value} =    Read DID    extendedOnlyCounter    expected_nrc=requestOutOfRange
    Should Be Equal    ${value}    ${None}
    Read DID    0102    expected_nrc=0x31
    Run Keyword And Expect Error
    ...    *accepted 22 F1 90 (0x22 ReadDataByIdentifier) with 62 F1 90 *, but NRC 0x31 requestOutOfRange was expected
    ...    Read DID    VIN    expected_nrc=31

DIDs Depend On Session And Security
    [Documentation]    In default the ECU leaves out extendedOnlyCounter (ISO allows it); securedData needs level 01.
    ${values} =    Read DID    VIN    extendedOnlyCounter
    Dictionary Should Not Contain Key    ${values}    extendedOnlyCounter
    Change Session    extended
    ${values} =    Read DID    VIN    extendedOnlyCounter
    Should Be Equal    ${values}[extendedOnlyCounter]    ${0x1234}
    Read DID    securedData    expected_nrc=securityAccessDenied
    Unlock Security Level    01
    ${data} =    Read DID    securedData
    Should Be Equal    ${data}    DE AD BE EF

Write DID With The Codec And Raw
    [Documentation]    Values are encoded with the DID's codec, or given as hex with ``raw=True``.
    Enter Extended Session With Level 01
    Write DID    VIN    ${NEW_VIN}
    DID Should Be    VIN    ${NEW_VIN}
    Write DID    variantCode    3
    DID Should Be    F101    3
    Write DID    F101    04    raw=True
    DID Should Be    variantCode    04    raw=True
    DID Should Be    variantCode    ${4}

Write DID With A Wrong Value Is Rejected Before Sending
    [Documentation]    Wrong length, a value the codec cannot hold or bad text fail naming DID and codec.
    ${before} =    Simulator Request Count
    Run Keyword And Expect Error
    ...    cannot write DID F190 VIN (codec ascii, 17 bytes): ascii value 'WVWZZZ1JZ' is 9 bytes long, expected 17; *
    ...    Write DID    VIN    WVWZZZ1JZ
    Run Keyword And Expect Error
    ...    cannot write DID F101 variantCode (codec uint, 1 byte): uint value 300 does not fit in 1 byte(s)*
    ...    Write DID    variantCode    300
    Run Keyword And Expect Error
    ...    cannot write DID F101 variantCode: 2 data byte(s) given (01 02), the ECU description says 1; nothing was sent
    ...    Write DID
    ...    F101
    ...    01 02
    ...    raw=True
    Run Keyword And Expect Error    value for DID F101 variantCode '3x' is not a number    Write DID    F101    3x
    Simulator Request Count Should Be    ${before}

Write DID Outside The Variant Matrix Is Refused By The ECU
    [Documentation]    The library leaves the allowed range to the ECU; the failure carries the variant matrix hint.
    Enter Extended Session With Level 01
    Run Keyword And Expect Error
    ...    *rejected 2E F1 01 06 (0x2E WriteDataByIdentifier) with NRC 0x31 requestOutOfRange*variant matrix*
    ...    Write DID    variantCode    6
    Run Keyword And Expect Error    *the value 6 is outside the ECU description's allowed range 1..5
    ...    Write DID    variantCode    6
    Write DID    variantCode    6    expected_nrc=requestOutOfRange
    Write DID    F101    01 02    raw=True    expected_nrc=incorrectMessageLengthOrInvalidFormat
    DID Should Be    variantCode    1

Write DID Needs The Right Session
    [Documentation]    VIN is writable in extended session with level 01 only.
    Run Keyword And Expect Error
    ...    *rejected 2E F1 90 * with NRC 0x7F serviceNotSupportedInActiveSession*hint: change to a session*
    ...    Write DID    VIN    ${NEW_VIN}
    Write DID    VIN    ${NEW_VIN}    expected_nrc=serviceNotSupportedInActiveSession
    Change Session    extended
    Write DID    VIN    ${NEW_VIN}    expected_nrc=securityAccessDenied

DID Should Be Compares Text, Numbers And Hex
    [Documentation]    Text compares exactly, numbers numerically, raw data as hex; failures name DID and values.
    DID Should Be    VIN    ${DEMO_VIN}
    DID Should Be    vehicleSpeed    50.0
    DID Should Be    F40C    0xBB8
    DID Should Be    vehicleSpeed    00 32    raw=True
    Run Keyword And Expect Error
    ...    DID F190 VIN is 'WVWZZZ1JZXW000001', expected 'WVWZZZ1JZXW000002'
    ...    DID Should Be    VIN    ${NEW_VIN}
    Run Keyword And Expect Error    DID F40D vehicleSpeed is 50 km/h, expected 60 km/h    DID Should Be    F40D    60
    Run Keyword And Expect Error    DID F40D vehicleSpeed is 00 32, expected 00 33
    ...    DID Should Be    F40D    0033    raw=True

Self Test Routine Start, Results And Stop
    [Documentation]    The RoutineControl sub-functions return the status record as hex; ``31 81`` gets no answer.
    Change Session    extended
    ${status} =    Start Routine    selfTest
    Should Be Equal    ${status}    00
    ${results} =    Get Routine Results    selfTest    expected_status=00 5A
    Should Be Equal    ${results}    00 5A
    Get Routine Results    1234    expected_status=00
    Stop Routine    0x1234    expected_status=00
    ${status} =    Start Routine    selfTest    suppress_response=True
    Should Be Empty    ${status}

Routine Status Mismatch Fails
    [Documentation]    ``expected_status`` is compared with the first bytes of the status record.
    Change Session    extended
    Start Routine    selfTest    expected_status=00
    Run Keyword And Expect Error
    ...    routine 1234 selfTest results reported status 00 5A, expected 01
    ...    Get Routine Results    selfTest    expected_status=01
    Run Keyword And Expect Error
    ...    routine 0203 checkProgrammingPreconditions start reported status 00, expected 01
    ...    Start Routine    0203    expected_status=01

Routine Negative Responses
    [Documentation]    Wrong session, sequence, sub-function, security and preconditions; with hints.
    Run Keyword And Expect Error
    ...    *rejected 31 01 12 34 (0x31 RoutineControl) with NRC 0x31 requestOutOfRange*
    ...    Start Routine    selfTest
    Change Session    extended
    Stop Routine    selfTest    expected_nrc=requestSequenceError
    Run Keyword And Expect Error
    ...    *NRC 0x24 requestSequenceError*hint: stop and results need a started routine
    ...    Get Routine Results    selfTest
    Start Routine    0203
    Stop Routine    0203    expected_nrc=subFunctionNotSupported
    Start Routine    eolCalibration    expected_nrc=0x33

Routine Arguments Are Checked Before Sending
    [Documentation]    Unknown names, option records of the wrong length and bad hex are refused; nothing is sent.
    ${before} =    Simulator Request Count
    Run Keyword And Expect Error
    ...    unknown routine 'selfTst': neither a hex number nor a routine of ECU description 'SIM-1'; did you mean*
    ...    Start Routine    selfTst
    Run Keyword And Expect Error
    ...    routine 0203 checkProgrammingPreconditions start takes an option record of 0 byte(s) per the ECU *
    ...    Start Routine    0203    01
    Run Keyword And Expect Error    option of routine 1234 selfTest 'XY' is not hex*    Start Routine    selfTest    XY
    Simulator Request Count Should Be    ${before}

EOL Calibration Runs Asynchronously
    [Documentation]    The results report 01 (running) for 300 ms, then 00 (calibrated).
    Enter Extended Session With Level 01
    Start Routine    eolCalibration
    ${running} =    Get Routine Results    eolCalibration
    Should Be Equal    ${running}    01
    Wait Until Keyword Succeeds    2 s    50 ms    Get Routine Results    eolCalibration    expected_status=00

Routine Failures Injected In The ECU
    [Documentation]    An injected result 02 fails ``expected_status``; with the engine running the ECU answers 0x22.
    ${ecu} =    Get UDS Simulator
    Evaluate    $ecu.faults.routine_failure.update({0xA001: b'\\x02'})
    Enter Extended Session With Level 01
    Start Routine    A001
    Sleep    400 ms    reason=the calibration runs for 300 ms
    Run Keyword And Expect Error
    ...    routine A001 eolCalibration results reported status 02, expected 00
    ...    Get Routine Results    eolCalibration    expected_status=00
    Evaluate    setattr($ecu.faults, 'engine_running', True)
    Run Keyword And Expect Error    *NRC 0x22 conditionsNotCorrect*hint: the routine's preconditions are not met*
    ...    Start Routine    selfTest

Erase Memory Follows Response Pending Within The Timeout
    [Documentation]    The erase takes 1.5 s with 0x78 every 500 ms; ``timeout`` replaces the P2* wait after each 0x78.
    Change Session    extended
    Change Session    programming
    Unlock Security Level    11
    ${status} =    Start Routine    eraseMemory    ${ERASE_OPTION}    timeout=3 s
    Should Be Equal    ${status}    00
    Run Keyword And Expect Error
    ...    *sent 1 x 0x78 responsePending to 31 01 FF 00 * but no final response within P2* 200 ms*extend the timeout
    ...    Start Routine    eraseMemory    ${ERASE_OPTION}    timeout=200 ms

Read DTCs Decodes Codes, Status Bits And Descriptions
    [Documentation]    Each DTC is a dictionary: J2012 code, number, hex, failure type, status and description.
    ${dtcs} =    Read DTCs
    Length Should Be    ${dtcs}    3
    Should Be Equal    ${dtcs}[0][code]    P0123-45
    Should Be Equal    ${dtcs}[2][code]    B1A0B-13
    VAR    &{expected} =    code=U0001-12    hex=C00112    number=${0xC00112}    failure_type=${0x12}
    ...    status=${0x2F}    status_hex=2F    description=${U0001_TEXT}
    Dictionary Should Contain Sub Dictionary    ${dtcs}[1]    ${expected}
    Should Be True    ${dtcs}[1][status_bits][confirmedDTC]
    Should Not Be True    ${dtcs[1].status_bits.warningIndicatorRequested}

Read DTCs By Status Mask
    [Documentation]    The status mask selects DTCs; 0x19 is not offered in the programming session.
    ${confirmed} =    Read DTCs    08
    Length Should Be    ${confirmed}    2
    ${not_completed} =    Read DTCs    status_mask=0x40
    Should Be Equal    ${not_completed}[0][code]    B1A0B-13
    Change Session    extended
    Change Session    programming
    Read DTCs    expected_nrc=serviceNotSupportedInActiveSession
    Run Keyword And Expect Error    status_mask '1FF' has an odd number of hex digits    Read DTCs    1FF

DTC Count Should Be
    [Documentation]    reportNumberOfDTCByStatusMask (19 01) counts the DTCs matching a mask.
    DTC Count Should Be    3
    DTC Count Should Be    2    status_mask=08
    Run Keyword And Expect Error    the ECU reports 2 DTC(s) matching status mask 0x08, expected 0
    ...    DTC Count Should Be    0    08

DTC Should Be Present With Status Bit Conditions
    [Documentation]    Status bits by name, case-insensitive; failures name the DTC, its status and the bits.
    ${dtc} =    DTC Should Be Present    U0001-12    confirmedDTC=True    TESTFAILED=True    pendingdtc=True
    Should Be Equal    ${dtc}[status_hex]    2F
    DTC Should Be Present    B1A0B-13    confirmedDTC=False    testNotCompletedThisOperationCycle=True
    DTC Should Be Present    P0123-45    status_mask=08
    Run Keyword And Expect Error
    ...    DTC P0123-45 (${P0123_TEXT}) has status 0x09: confirmedDTC is True, expected False
    ...    DTC Should Be Present    P0123-45    confirmedDTC=False
    Run Keyword And Expect Error
    ...    unknown DTC status bit 'confirmed'; the eight status bits are testFailed, testFailedThisOperationCycle, *
    ...    DTC Should Be Present    P0123-45    confirmed=True
    Run Keyword And Expect Error
    ...    DTC B1A0B-13 (*) is not reported with status mask 0x08; the ECU reports P0123-45 (*), U0001-12 (*)
    ...    DTC Should Be Present    B1A0B-13    status_mask=08

DTC Arguments Accept Code And Hex Forms
    [Documentation]    J2012 text with or without dash, 3 bytes of hex with or without 0x.
    FOR    ${form}    IN    U0001-12    U000112    u0001-12    C00112    0xC00112
        DTC Should Be Present    ${form}    confirmedDTC=True
    END
    Run Keyword And Expect Error    DTC 'X0001-12' is not a DTC: invalid DTC*    DTC Should Be Present    X0001-12

DTC Should Not Be Present And No Confirmed DTCs
    [Documentation]    Failures say with which status a DTC is reported and list the confirmed DTCs with descriptions.
    DTC Should Not Be Present    B1A0B-13
    DTC Should Not Be Present    P1234-56    status_mask=FF
    Run Keyword And Expect Error
    ...    DTC P0123-45 (*) is reported with status 0x09 (testFailed, confirmedDTC), which matches status mask 0x08
    ...    DTC Should Not Be Present    P0123-45
    Run Keyword And Expect Error
    ...    the ECU reports 2 confirmed DTC(s): P0123-45 (${P0123_TEXT}), U0001-12 (${U0001_TEXT})
    ...    No Confirmed DTCs
    Clear DTCs
    No Confirmed DTCs

Clear DTCs By Group Then Count
    [Documentation]    Clearing one DTC, then all (status 0x50); a failed test result in the ECU confirms a DTC again.
    Clear DTCs    U0001-12
    DTC Count Should Be    1    status_mask=08
    DTC Should Be Present    U0001-12    confirmedDTC=False    testNotCompletedSinceLastClear=True
    Clear DTCs    all
    DTC Count Should Be    0    status_mask=08
    DTC Count Should Be    3    status_mask=FF
    ${ecu} =    Get UDS Simulator
    Evaluate    $ecu.report_dtc(0x9A0B13, failed=True)
    DTC Should Be Present    B1A0B-13    testFailed=True    confirmedDTC=True    status_mask=08

Clear DTCs Refused
    [Documentation]    An unknown group is out of range; with the engine running the ECU refuses with a hint.
    Clear DTCs    123456    expected_nrc=requestOutOfRange
    Run Keyword And Expect Error    DTC group 'everything' is not a DTC*    Clear DTCs    everything
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'engine_running', True)
    Run Keyword And Expect Error
    ...    *rejected 14 FF FF FF (0x14 ClearDiagnosticInformation) with NRC 0x22 *hint: DTCs cannot be cleared*
    ...    Clear DTCs    FFFFFF

Read DTC Snapshot Decodes The DIDs
    [Documentation]    Snapshot record 01 of U0001-12 holds vehicleSpeed and engineSpeed, decoded by their codecs.
    ${snapshots} =    Read DTC Snapshot    U0001-12
    Length Should Be    ${snapshots}    1
    Should Be Equal    ${snapshots}[0][record]    ${1}
    Should Be Equal    ${snapshots}[0][dids]    ${{ {'vehicleSpeed': 50, 'engineSpeed': 3000} }}
    ${one} =    Read DTC Snapshot    0xC00112    01
    Should Be Equal    ${one}    ${snapshots}
    ${none} =    Read DTC Snapshot    P0123-45
    Should Be Empty    ${none}
    Read DTC Snapshot    U0001-12    05    expected_nrc=requestOutOfRange

Read DTC Extended Data Splits The Records
    [Documentation]    Records 01 and 02 are split with the sizes of the ECU description.
    ${records} =    Read DTC Extended Data    U0001-12
    Should Be Equal    ${records}    ${{ {1: '05', 2: '03'} }}
    ${one} =    Read DTC Extended Data    U0001-12    02
    Should Be Equal    ${one}[${2}]    03
    Read DTC Extended Data    P1234-56    expected_nrc=0x31

DTC Table Describes DTCs The ECU Description Does Not
    [Documentation]    The ECU description wins; a tester without description uses the CSV table (semicolons).
    VAR    ${table} =    ${OUTPUT DIR}${/}dtc_table.csv
    Create File    ${table}    DTC;Description;Owner\nP0123-45;Air flow (table);engine\nU0001;Lost comm (table);net\n
    ${count} =    Load DTC Table    ${table}
    Should Be Equal    ${count}    ${2}
    ${dtcs} =    Read DTCs    08
    Should Be Equal    ${dtcs}[0][description]    ${P0123_TEXT}
    Open UDS Connection    interface=virtual    channel=sim-1    request_id=7E0    response_id=7E8    alias=bare
    ${dtcs} =    Read DTCs    08
    Should Be Equal    ${dtcs}[0][description]    Air flow (table)
    Should Be Equal    ${dtcs}[1][description]    Lost comm (table)

DTC Table Errors Are Clear
    [Documentation]    A table without the expected columns or with a bad code fails naming file and row.
    VAR    ${bad} =    ${OUTPUT DIR}${/}dtc_table_bad.csv
    Create File    ${bad}    Fehlercode,Text\nP0123-45,x\n
    Run Keyword And Expect Error
    ...    DTC table '${bad}' needs a 'code' (or 'DTC') column and a 'description' column *, found: Fehlercode, Text
    ...    Load DTC Table    ${bad}
    Create File    ${bad}    code,description\nP0123-45,ok\nQ1234,bad\n
    Run Keyword And Expect Error    DTC table '${bad}', row 3: invalid DTC 'Q1234'*    Load DTC Table    ${bad}


*** Keywords ***
Enter Extended Session With Level 01
    [Documentation]    Extended session and security level 01: what VIN, variant and calibration need.
    Change Session    extended
    Unlock Security Level    01

Simulator Request Count
    [Documentation]    How many requests the simulated ECU has received so far.
    ${ecu} =    Get UDS Simulator
    RETURN    ${ecu.stats}[requests]

Simulator Request Count Should Be
    [Documentation]    Fails unless the simulated ECU has received ``expected`` requests so far.
    [Arguments]    ${expected}
    ${count} =    Simulator Request Count
    Should Be Equal As Integers    ${count}    ${expected}
