*** Settings ***
Documentation    Raw requests, ECU control and response times against the simulated demo ECU
...              (bench sim-1, ci profile) and the simulated demo vehicle, including the failures a
...              line engineer meets: negative responses, a silent ECU, bad input and missing
...              CAN interfaces. Every test opens a fresh connection, so the simulated ECU starts
...              from power-on.

Library          UdsLibrary

Test Setup       Open UDS Connection    ${SIM_1}
Test Teardown    Close All UDS Connections

Test Tags        raw-control


*** Variables ***
${BENCHES}    ${CURDIR}/../../resources/benches
${SIM_1}      ${BENCHES}/sim-1.yaml
${VEHICLE}    ${BENCHES}/sim-vehicle.yaml
${VIN_HEX}    57 56 57 5A 5A 5A 31 4A 5A 58 57 30 30 30 30 30 31


*** Test Cases ***
Raw Request Returns The Final Response As Hex
    [Documentation]    Any hex spelling is accepted; the answer comes back as spaced hex text.
    ${response} =    Send UDS Request    22 F1 90
    Should Be Equal    ${response}    62 F1 90 ${VIN_HEX}
    ${response} =    Send UDS Request    0x22F187    timeout=500 ms
    Should Start With    ${response}    62 F1 87

Raw Request Checks The Response Against A Pattern
    [Documentation]    ?? matches one byte, * any number of bytes; a mismatch names both sides.
    Send UDS Request    22 F1 90    expected=62 F1 90 57 56 57 *
    Send UDS Request    22 F1 87    expected=62 F1 87 ?? ?? *
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) answered 22 F1 90 with 62 F1 90 57 56 57 *, expected 62 F1 90 58 *
    ...    Send UDS Request    22 F1 90    expected=62 F1 90 58 *

Negative Response Fails With NRC, Meaning And Hint
    [Documentation]    Low supply voltage makes the ECU refuse a session change with NRC 0x22; the
    ...    failure names the request, the NRC, its meaning and the well-known cause.
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'low_voltage', True)
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) rejected 10 03 (0x10 *) with NRC 0x22 conditionsNotCorrect*hint:*supply voltage*
    ...    Send UDS Request    10 03
    ${nrc} =    Response Should Be Negative    conditionsNotCorrect
    Should Be Equal As Integers    ${nrc}    0x22
    Response Should Be Negative    0x22
    Response Should Be Negative

Expected Negative Response Passes
    [Documentation]    expected_nrc (name or number) or a pattern starting with 7F accepts the NRC.
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'low_voltage', True)
    Send UDS Request    10 03    expected_nrc=conditionsNotCorrect
    ${response} =    Send UDS Request    10 03    expected_nrc=22
    Should Be Equal    ${response}    7F 10 22
    Send UDS Request    10 03    expected=7F 10 22
    Send UDS Request    10 03    expected=7F 10 ??

Unexpected NRC Or Missing NRC Fails
    [Documentation]    An expected NRC that does not come, or another one, fails the request.
    Run Keyword And Expect Error
    ...    *accepted 10 01 (0x10 *) with 50 01 *, but NRC 0x22 conditionsNotCorrect was expected
    ...    Send UDS Request    10 01    expected_nrc=22
    Run Keyword And Expect Error
    ...    *rejected 22 12 34 (0x22 *) with NRC 0x31 requestOutOfRange, but NRC 0x22 conditionsNotCorrect was expected
    ...    Send UDS Request    22 12 34    expected_nrc=conditionsNotCorrect
    Run Keyword And Expect Error
    ...    *answered 22 12 34 with 7F 22 31, expected 7F 22 33
    ...    Send UDS Request    22 12 34    expected=7F 22 33

Response Should Be Negative Fails On A Positive Or A Different NRC
    [Documentation]    The check of the last response names what came instead.
    Send UDS Request    3E 00
    Run Keyword And Expect Error
    ...    The last response to 3E 00 was positive (7E 00), but a negative response was expected
    ...    Response Should Be Negative
    Send UDS Request    22 12 34    expected_nrc=requestOutOfRange
    Run Keyword And Expect Error
    ...    The last response to 22 12 34 was NRC 0x31 requestOutOfRange, but NRC 0x33 * was expected
    ...    Response Should Be Negative    securityAccessDenied

Last Response Is Checked Against A Pattern
    [Documentation]    The final response of the last exchange, whichever keyword sent it.
    Run Keyword And Expect Error    No request has been sent on connection 'sim-1' yet
    ...    Last Response Should Be    *
    Send UDS Request    22 F1 87
    ${response} =    Last Response Should Be    62 F1 87 *
    Should Start With    ${response}    62 F1 87
    Run Keyword And Expect Error    The last response to 22 F1 87 was 62 F1 87 *, expected 62 F1 90 *
    ...    Last Response Should Be    62 F1 90 *

Silent ECU Fails Within P2
    [Documentation]    No answer: the failure names the ECU's ids, the request and the P2 timeout.
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'not_responding', True)
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) did not answer 22 F1 90 (0x22 ReadDataByIdentifier) within P2 150 ms; check*
    ...    Send UDS Request    22 F1 90
    Run Keyword And Expect Error    The last request (22 F1 90) got no response, but a negative response was expected
    ...    Response Should Be Negative

Bad Input Is Rejected Before Anything Is Sent
    [Documentation]    Bad hex, patterns, NRC names and times fail at once; the ECU sees no request.
    Run Keyword And Expect Error    request '22 F1 9G' is not hex (character 'G')
    ...    Send UDS Request    22 F1 9G
    Run Keyword And Expect Error    request '22 F1 9' has an odd number of hex digits
    ...    Send UDS Request    22 F1 9
    Run Keyword And Expect Error    request is empty*    Send UDS Request    ${EMPTY}
    Run Keyword And Expect Error    expected pattern '62 F1 ZZ' is not hex with ?? and * wildcards
    ...    Send UDS Request    22 F1 90    expected=62 F1 ZZ
    Run Keyword And Expect Error    'conditionsNotCorect' is not an NRC number or name*
    ...    Send UDS Request    10 03    expected_nrc=conditionsNotCorect
    Run Keyword And Expect Error    timeout 'soon' is not a time*
    ...    Send UDS Request    22 F1 90    timeout=soon
    Run Keyword And Expect Error    request 'zz' is not hex*
    ...    Send UDS Request And Expect No Response    zz
    ${stats} =    Log UDS Timing Statistics
    Should Be Equal As Integers    ${stats}[requests]    0

Suppressed Positive Response Stays Silent
    [Documentation]    With the suppress bit the ECU stays silent; an NRC is still sent and fails.
    Send UDS Request And Expect No Response    3E 80
    Send UDS Request And Expect No Response    10 81    window=100 ms
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) answered 10 85 with 7F 10 12 (NRC 0x12 *) within 150 ms, but silence was expected
    ...    Send UDS Request And Expect No Response    10 85

Functional Request For An Unsupported DID Stays Silent
    [Documentation]    NRC 0x31 is suppressed on functional requests (ISO 14229-1 7.5).
    Send UDS Request And Expect No Response    22 12 34    functional=True
    Run Keyword And Expect Error    *answered 22 F1 90 with 62 F1 90 *, but silence was expected
    ...    Send UDS Request And Expect No Response    22 F1 90    functional=True    window=200 ms
    ${response} =    Send UDS Request    22 F1 87    functional=True
    Should Start With    ${response}    62 F1 87

Functional Request Collects The Answers Of Every ECU
    [Documentation]    On the vehicle bench ECM, TCM and BCM answer the functional id 7DF.
    [Setup]    Open UDS Connection    ${VEHICLE}
    ${answers} =    Send Functional UDS Request    3E 00
    Should Be Equal    ${answers}    ${{ {'ECM': '7E 00', 'TCM': '7E 00', 'BCM': '7E 00'} }}
    ${parts} =    Send Functional UDS Request    22 F1 87    expected=62 F1 87 *    window=300 ms
    Should Be Equal    ${parts}[TCM]    62 F1 87 30 39 47 39 32 37 37 35 30 4B
    ${sessions} =    Send Functional UDS Request    10 03
    Should Be Equal    ${sessions}[BCM]    50 03 00 32 00 64

Functional Request Fails On A Wrong Or A Missing Answer
    [Documentation]    Every answer must match the pattern, and at least one ECU must answer.
    [Setup]    Open UDS Connection    ${VEHICLE}
    Run Keyword And Expect Error
    ...    ECU 'TCM' (7E9) answered 22 F1 87 (functional) with 62 F1 87 30 39 *, expected 62 F1 87 30 33 *
    ...    Send Functional UDS Request    22 F1 87    expected=62 F1 87 30 33 *
    Run Keyword And Expect Error
    ...    No ECU answered 3E 80 (0x3E TesterPresent, functional id 7DF) within 150 ms*
    ...    Send Functional UDS Request    3E 80

Functional Request On A Real Bench Listens To The Given Response IDs
    [Documentation]    A connection without a simulator of its own (like one to real ECUs) hears only
    ...    its ECU unless response_ids lists the others.
    [Setup]    Open UDS Connection    ${VEHICLE}
    Open UDS Connection    interface=virtual    channel=sim-vehicle    request_id=7E0    response_id=7E8
    ...    functional_id=7DF    alias=tester
    ${answers} =    Send Functional UDS Request    3E 00
    Should Be Equal    ${answers}    ${{ {'7E8': '7E 00'} }}
    ${answers} =    Send Functional UDS Request    22 F1 87    response_ids=7E9, 726/72E
    Should Be Equal    ${answers}[72E]    62 F1 87 35 51 30 39 33 37 30 38 34 41
    Length Should Be    ${answers}    3
    Run Keyword And Expect Error    response_ids entry 'xyz' is not a hex number
    ...    Send Functional UDS Request    3E 00    response_ids=xyz

Requests Go To The Active Connection
    [Documentation]    With several connections open, requests go to the one switched to last.
    Open UDS Connection    ${VEHICLE}    alias=vehicle
    ${previous} =    Switch UDS Connection    sim-1
    Should Be Equal    ${previous}    vehicle
    Send UDS Request    22 F1 8C    expected=62 F1 8C 53 4E *
    Switch UDS Connection    vehicle
    Close UDS Connection
    Send UDS Request    3E 00
    Close UDS Connection    sim-1
    Run Keyword And Expect Error    No UDS connection is open: use 'Open UDS Connection' first.
    ...    Send UDS Request    3E 00

Reset Waits Until The ECU Answers Again
    [Documentation]    After the reset the ECU is silent for its reset time, then in the default session.
    Send UDS Request    10 03    expected=50 03 *
    ${silent} =    Reset ECU
    Should Be True    0 < ${silent} < 1
    Send UDS Request    22 F1 86    expected=62 F1 86 01
    Reset ECU    soft    suppress_response=True
    Reset ECU    hardReset    limit=2 s
    Reset ECU    0x01    wait=False
    Run Keyword And Expect Error    *did not answer 3E 00*    Send UDS Request    3E 00

Reset Types By Name And Expected NRCs
    [Documentation]    Types by name or number; the demo ECU supports hard and soft reset only.
    Reset ECU    keyOffOn    expected_nrc=subFunctionNotSupported
    Reset ECU    enableRapidPowerShutDown    expected_nrc=0x12
    Run Keyword And Expect Error
    ...    reset_type 'hrad' is not a name or hex number; did you mean hard? names: hardReset, *
    ...    Reset ECU    hrad
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'vehicle_moving', True)
    Run Keyword And Expect Error
    ...    *rejected 11 01 (0x11 ECUReset) with NRC 0x22 conditionsNotCorrect*hint:*vehicle moves*
    ...    Reset ECU
    Reset ECU    hard    expected_nrc=conditionsNotCorrect

Reset Fails When The ECU Does Not Come Back
    [Documentation]    The keyword gives up after the limit and says so.
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'not_responding', True)
    Run Keyword And Expect Error
    ...    ECU 'sim-1' (7E0/7E8) did not come back within 300 ms after reset (* requests unanswered)*
    ...    Reset ECU    suppress_response=True    limit=300 ms

Communication Control Switches The Application Frames
    [Documentation]    Control and communication types by name or number, with or without answer.
    Send UDS Request    10 03
    ${ecu} =    Get UDS Simulator
    Control Communication    disableRxAndTx    both
    Should Not Be True    $ecu.communication_tx['normal'] or $ecu.communication_tx['nm']
    Control Communication    enableRxAndTx    normal    suppress_response=True
    Should Be True    $ecu.communication_tx['normal'] and not $ecu.communication_tx['nm']
    Control Communication    0x00    0x02
    Should Be True    $ecu.communication_tx['nm']
    Control Communication    enableRxAndDisableTx    normalAndNm
    Should Not Be True    $ecu.communication_tx_enabled

Communication Control Rejects Bad Input And Unexpected NRCs
    [Documentation]    The demo ECU offers 0x28 in the extended session only.
    Run Keyword And Expect Error
    ...    *rejected 28 03 01 (0x28 *) with NRC 0x7F serviceNotSupportedInActiveSession*hint: change to a session*
    ...    Control Communication    disableRxAndTx
    Control Communication    disableRxAndTx    expected_nrc=serviceNotSupportedInActiveSession
    Run Keyword And Expect Error
    ...    control_type 'disableRxAndTxx' is not a name or hex number; did you mean disableRxAndTx?*
    ...    Control Communication    disableRxAndTxx
    Run Keyword And Expect Error    communication_type 'none' is not a name or hex number*
    ...    Control Communication    disableRxAndTx    none
    Run Keyword And Expect Error
    ...    control_type enableRxAndTxWithEnhancedAddressInformation (0x05) needs node_id (two bytes hex)
    ...    Control Communication    enableRxAndTxWithEnhancedAddressInformation

DTC Setting Is Switched Off And On
    [Documentation]    Off freezes the DTC status bits of the ECU; on resumes them.
    Send UDS Request    10 03
    ${ecu} =    Get UDS Simulator
    Control DTC Setting    off
    Should Not Be True    $ecu.dtc_setting_on
    Control DTC Setting    on    suppress_response=True
    Should Be True    $ecu.dtc_setting_on
    Control DTC Setting    02    group=FFFFFF
    Should Not Be True    $ecu.dtc_setting_on
    Control DTC Setting    on    group=123456    expected_nrc=requestOutOfRange

DTC Setting Rejects Bad Input And Needs The Extended Session
    [Documentation]    Names are checked before sending; in the default session the ECU answers 0x7F.
    Run Keyword And Expect Error    setting 'of' is not a name or hex number; did you mean off?*
    ...    Control DTC Setting    of
    Control DTC Setting    off    expected_nrc=serviceNotSupportedInActiveSession
    Run Keyword And Expect Error    *rejected 85 82 (0x85 ControlDTCSetting) with NRC 0x7F*
    ...    Control DTC Setting    off    suppress_response=True

Response Time Assertions Pass
    [Documentation]    Final and first response times of the last request and of the whole connection.
    Send UDS Request    22 F1 90
    ${ms} =    Last Response Time Should Be Below    100 ms
    Should Be True    0 < ${ms} < 100
    Last Response Time Should Be Below    0.1    which=first
    Send UDS Request    3E 00
    ${slowest} =    Response Times Should Be Below    500 ms
    Should Be True    ${slowest} >= ${ms}
    Response Times Should Be Below    500 ms    service=22    which=first
    ${stats} =    Log UDS Timing Statistics
    Should Be Equal As Integers    ${stats}[requests]    2

Response Time Assertions Fail With The Measured Times
    [Documentation]    A slow NvM makes the ECU send 0x78 before it answers a clear after 300 ms.
    ${ecu} =    Get UDS Simulator
    Evaluate    setattr($ecu.faults, 'slow_nvm', 0.3)
    Send UDS Request    14 FF FF FF
    Run Keyword And Expect Error
    ...    The last response (14 FF FF FF) took *ms, limit 100 ms (first response after * ms, 1 x 0x78)
    ...    Last Response Time Should Be Below    100 ms
    Last Response Time Should Be Below    100 ms    which=first
    Run Keyword And Expect Error
    ...    1 of 1 final responses on connection 'sim-1' took longer than 100 ms; slowest: 0x14 * (1 x 0x78)
    ...    Response Times Should Be Below    100 ms

Response Time Needs A Response
    [Documentation]    A request without an answer has no response time.
    Send UDS Request And Expect No Response    3E 80
    Run Keyword And Expect Error    The last request (3E 80) got no response, so it has no response time
    ...    Last Response Time Should Be Below    100 ms
    Run Keyword And Expect Error    which must be 'final' or 'first', got 'last'
    ...    Last Response Time Should Be Below    100 ms    which=last

Missing CAN Interface Names What To Install
    [Documentation]    Vendor interfaces whose driver is not installed fail with one sentence.
    [Setup]    No Operation
    Run Keyword And Expect Error
    ...    python-can interface 'pcan' is not available on this machine (*): install the PEAK PCAN-Basic driver*
    ...    Open UDS Connection    ${BENCHES}/pcan.yaml
    Run Keyword And Expect Error
    ...    python-can interface 'kvaser' is not available on this machine (*): install the Kvaser CANlib SDK/driver
    ...    Open UDS Connection    ${BENCHES}/kvaser.yaml
    Run Keyword And Expect Error
    ...    python-can interface 'vector' is not available on this machine (*): install the Vector XL Driver*
    ...    Open UDS Connection    interface=vector    channel=0    bitrate=500000
    Run Keyword And Expect Error    python-can interface 'kvaser' needs a channel*
    ...    Open UDS Connection    interface=kvaser

Missing SocketCAN Channel Is Named
    [Documentation]    Without SocketCAN in the kernel, or without the channel, the channel is named.
    [Setup]    No Operation
    Run Keyword And Expect Error
    ...    cannot open CAN channel 'vcan9' on python-can interface 'socketcan': *
    ...    Open UDS Connection    interface=socketcan    channel=vcan9
