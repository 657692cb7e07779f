*** Settings ***
Documentation    Traces: recording a test's bus, decoding traces back into UDS transactions, finding the ECUs
...              of a vehicle. Round trip on the simulated ECU SIM-1 (bench sim-1), a multi-ECU vehicle scan
...              in the style of a workshop tool (generated), discovery on the simulated demo vehicle (ECM
...              7E0/7E8, TCM 7E1/7E9, BCM 726/72E) and traces that are broken in various ways.

Library          Collections
Library          OperatingSystem
Library          UdsLibrary

Test Teardown    Run Keywords    Stop Trace Capture    AND    Close All UDS Connections


*** Variables ***
${BENCH}            ${CURDIR}/../../resources/benches/sim-1.yaml
${VEHICLE_BENCH}    ${CURDIR}/../../resources/benches/sim-vehicle.yaml
${ECU}              ${CURDIR}/../../resources/ecus/demo_ecu.yaml
${VEHICLE}          ${CURDIR}/../../resources/vehicles/demo_vehicle.yaml
${TRACES}           ${OUTPUT DIR}${/}trace-inputs
${SCAN_PAIRS}       770:778,796:79E,7A0:7A8,7B3:7BB,7C4:7CC,7D1:7D9,7D2:7DA,7E0:7E8,7E1:7E9
${P0A9B_TEXT}       Hybrid battery temperature sensor circuit


*** Test Cases ***
A Recorded Test Decodes Back To What The Test Saw
    [Documentation]    Every request the test sent and every answer it got comes back from the recorded BLF
    ...    file, in order, with the DTCs the ECU reported and the security key masked.
    Open UDS Connection    ${BENCH}
    ${path} =    Start Trace Capture
    Should End With    ${path}    .blf
    ${seen} =    Run Diagnostic Session
    ${stopped} =    Stop Trace Capture
    Should Be Equal    ${stopped}    ${path}
    ${transactions} =    Decode Trace    ${path}    ecu_description=${ECU}
    Transactions Should Be    ${transactions}    ${seen}
    Should Be Equal    ${transactions}[1][dids][0][value]    WVWZZZ1JZXW000001
    Should Be Equal    ${transactions}[2][nrc_name]    requestOutOfRange

A Capture Follows Connections Opened After It Started And Writes ASC
    [Documentation]    The capture attaches to connections opened while it runs; ASC is chosen by the format.
    ${path} =    Start Trace Capture    ${OUTPUT DIR}${/}traces${/}late-connection    format=asc
    Should End With    ${path}    late-connection.asc
    Open UDS Connection    ${BENCH}
    Send UDS Request    3E 00
    Stop Trace Capture
    ${again} =    Stop Trace Capture
    Should Be Equal    ${again}    ${None}
    ${transactions} =    Decode Trace    ${path}
    Length Should Be    ${transactions}    1
    Should Be Equal    ${transactions}[0][response]    7E 00

A Multi-ECU Vehicle Scan Decodes Correctly
    [Documentation]    Functional TesterPresent and ReadDTCInformation on 7DF answered by nine ECUs, frames
    ...    padded with AA, a 0x78 chain, NRCs 0x11, 0x12 and 0x31, interleaved multi-frame answers.
    [Setup]    Create File    ${TRACES}${/}dtcs.csv    code,description\nP0A9B,${P0A9B_TEXT}\n
    ${path}    ${count} =    Generate Vehicle Scan Trace    ${TRACES}${/}vehicle-scan.blf
    ${transactions} =    Decode Trace    ${path}    dtc_table=${TRACES}${/}dtcs.csv    pairs=${SCAN_PAIRS}
    Length Should Be    ${transactions}    ${count}
    Functional Requests And NRCs Should Be Decoded    ${transactions}
    Pending Chains Should Be Decoded    ${transactions}
    DTCs Of The MFC Should Be Decoded    ${transactions}
    ${key} =    Evaluate    [t for t in $transactions if t['request'].startswith('27 02')][0]
    Should Be Equal    ${key}[request]    27 02 **

Discovery Finds Every ECU Of The Simulated Vehicle
    [Documentation]    Functional and physical TesterPresent find ECM, TCM and BCM with their identification.
    Open UDS Connection    ${VEHICLE_BENCH}
    ${ecus} =    Discover ECUs
    Length Should Be    ${ecus}    3
    ${ids} =    Evaluate    [(e['request_id'], e['response_id']) for e in $ecus]
    Should Be Equal    ${ids}    ${{[('726', '72E'), ('7E0', '7E8'), ('7E1', '7E9')]}}
    Should Be Equal    ${ecus}[1][part_number]    03L906018A
    Should Be Equal    ${ecus}[2][serial_number]    SN00000117
    Should Be True    ${ecus}[0][functional] and not ${ecus}[0][physical]
    ${named} =    Discover ECUs    expected=${VEHICLE}
    Should Be Equal    ${named}[0][name]    BCM

Discovery Flags A Missing And An Unexpected ECU
    [Documentation]    An expected ABS (7E2/7EA) does not answer, the BCM answers without being expected.
    Open UDS Connection    ${VEHICLE_BENCH}
    Run Keyword And Expect Error
    ...    *missing (expected, did not answer): ABS (7E2/7EA); unexpected (answered, not expected): (726/72E)*
    ...    Discover ECUs    expected=${{['ECM=7E0:7E8', 'TCM=7E1:7E9', 'ABS=7E2:7EA']}}
    ${physical} =    Discover ECUs    id_range=7E0-7E7    functional=False    timeout=50 ms
    Length Should Be    ${physical}    2

A Broken Trace Is Reported And The Rest Is Decoded
    [Documentation]    A corrupt line and an ISO-TP message that stops half way are findings with their place.
    ${path} =    Write Broken Candump Log    ${TRACES}${/}broken.log
    ${transactions} =    Decode Trace    ${path}
    ${kinds} =    Evaluate    sorted(f['kind'] for f in $transactions.findings)
    Should Be Equal    ${kinds}    ${{['file', 'isotp']}}
    Should Be Equal As Integers    ${transactions.findings}[0][line]    4
    Should Contain    ${transactions.findings}[1][message]    6 of 9 bytes
    Should Be Equal    ${transactions}[0][result]    no response
    Should Be Equal    ${transactions}[-1][response]    7E 00

Unknown And Missing Files
    [Documentation]    A file of an unknown format is a finding; a file that does not exist fails the keyword.
    Create File    ${TRACES}${/}notes.txt    not a trace
    ${nothing} =    Decode Trace    ${TRACES}${/}notes.txt
    Should Be Empty    ${nothing}
    Should Be Equal    ${nothing.findings}[0][kind]    format
    Run Keyword And Expect Error    trace file '*missing.blf' does not exist
    ...    Decode Trace    ${TRACES}${/}missing.blf


*** Keywords ***
Run Diagnostic Session
    [Documentation]    Requests of several services; returns what the test saw: [request, final response] pairs.
    ${session} =    Send UDS Request    10 03
    ${vin} =    Send UDS Request    22 F1 90
    ${refused} =    Send UDS Request    22 12 34    expected_nrc=requestOutOfRange
    ${dtcs} =    Read DTCs
    Unlock Security Level
    ${first} =    Evaluate    [['10 03', $session], ['22 F1 90', $vin], ['22 12 34', $refused]]
    ${codes} =    Evaluate    [d['code'] for d in $dtcs]
    RETURN    ${{$first + [['19 02 FF', $codes], ['27 01', None], ['27 02 **', None]]}}

Transactions Should Be
    [Documentation]    The decoded requests are the ones sent, the responses (or DTC codes) the ones seen.
    [Arguments]    ${transactions}    ${seen}
    Should Be Empty    ${transactions.findings}
    ${requests} =    Evaluate    [t['request'] for t in $transactions]
    ${sent} =    Evaluate    [s[0] for s in $seen]
    Lists Should Be Equal    ${requests}    ${sent}
    FOR    ${transaction}    ${expected}    IN ZIP    ${transactions}    ${seen}
        IF    $expected[1] is None    CONTINUE
        IF    $transaction['dtcs'] or $transaction['service'] == 'ReadDTCInformation'
            ${codes} =    Evaluate    [d['code'] for d in $transaction['dtcs']]
            Lists Should Be Equal    ${codes}    ${expected}[1]
        ELSE
            Should Be Equal    ${transaction}[response]    ${expected}[1]
        END
    END

Generate Vehicle Scan Trace
    [Documentation]    Writes a generated multi-ECU scan to ``path`` (BLF); returns it and how many exchanges it has.
    [Arguments]    ${path}
    Create Directory    ${TRACES}
    ${generator} =    Evaluate    __import__('UdsLibrary.trace.synthetic', fromlist=['x']).VehicleTraffic()
    Call Method    ${generator}    write    ${path}
    RETURN    ${path}    ${generator.expected.__len__()}

Functional Requests And NRCs Should Be Decoded
    [Documentation]    Nine ECUs answer each of the two functional requests; the NRCs of the scan are all there.
    [Arguments]    ${transactions}
    ${functional} =    Evaluate    [t for t in $transactions if t['functional']]
    Length Should Be    ${functional}    18
    ${nrcs} =    Evaluate    sorted({t['nrc'] for t in $transactions if t['nrc']})
    Should Be Equal    ${nrcs}    ${{['11', '12', '31', '7F']}}

Pending Chains Should Be Decoded
    [Documentation]    The 7A8 answers ReadDTCInformation after one 0x78, the routine after three.
    [Arguments]    ${transactions}
    ${slow} =    Evaluate    [t for t in $transactions if t['pending']]
    Should Be Equal    ${slow}[0][ecu]    7A8
    Should Be Equal    ${slow}[-1][service]    RoutineControl
    Should Be Equal As Integers    ${slow}[-1][pending]    3
    Should Be True    ${slow}[-1][p2_star_ms] > 0

DTCs Of The MFC Should Be Decoded
    [Documentation]    Codes with failure type, status bits and the description from the DTC table.
    [Arguments]    ${transactions}
    ${mfc} =    Evaluate    [t for t in $transactions if t['ecu'] == '7CC' and t['dtcs']][0]
    Should Be Equal    ${mfc}[dtcs][0][code]    P0A9B-00
    Should Be Equal    ${mfc}[dtcs][0][description]    ${P0A9B_TEXT}
    Should Be Equal    ${mfc}[dtcs][1][failure_type]    12
    Should Contain    ${mfc}[dtcs][1][status_bits]    confirmedDTC

Write Broken Candump Log
    [Documentation]    A candump log with a line that is not a frame and a multi-frame answer that stops early.
    [Arguments]    ${path}
    ${log} =    Catenate    SEPARATOR=\n
    ...    (1.000000) can0 7E0#0322F190AAAAAAAA T
    ...    (1.001000) can0 7E8#100962F1905741AA R
    ...    (1.002000) can0 7E0#300000AAAAAAAAAA T
    ...    (this line is not a frame)
    ...    (3.000000) can0 7E0#023E00AAAAAAAAAA T
    ...    (3.001000) can0 7E8#027E00AAAAAAAAAA R
    Create File    ${path}    ${log}\n
    RETURN    ${path}
