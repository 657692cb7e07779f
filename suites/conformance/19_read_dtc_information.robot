*** Settings ***
Documentation     ReadDTCInformation 0x19 (catalogue section 9): the number of DTCs and the DTCs by
...               status mask, the supported DTCs, snapshot and extended data records by DTC, unknown
...               DTCs and records, and the length and sub-function checks.
...
...               DTC lists are compared as sets (header bytes exactly): ISO 14229-1 leaves their order
...               to the ECU. The expected DTCs and statuses are those of the ECU description at power-on:
...               on a real ECU, bring its DTC memory into that state first (clearing, 0x14, changes it).

Resource          ../../resources/conformance.resource

Suite Setup       Open Conformance Bench    0x19
Suite Teardown    Release Bench
Test Setup        Start Test Case From Power-On
Test Template     Requests Should Get

Test Tags         sid:0x19

Name              0x19 Read DTC Information


*** Test Cases ***    PRECONDITION    REQUEST    EXPECTED
TC1901 Number Of Confirmed DTCs
    [Documentation]    The count of confirmed DTCs comes with the status availability mask and the DTC format.
    [Tags]    positive    physical    requires:dtcs
    P DEF    19 01 08    59 01 ${SAM} ${DTC_FORMAT} ${CONFIRMED_DTC_COUNT}
TC1902 Confirmed DTCs
    [Documentation]    The DTCs with the confirmed bit are listed with their status.
    [Tags]    positive    physical    requires:dtcs
    [Template]    DTC Report Should Be
    19 02 08    59 02 ${SAM}    ${CONFIRMED_DTC_RECORDS}
TC1903 DTCs With Any Status Bit
    [Documentation]    Mask FF lists every DTC with at least one status bit set.
    [Tags]    positive    physical    requires:dtcs
    [Template]    DTC Report Should Be
    19 02 FF    59 02 ${SAM}    ${ALL_DTC_RECORDS}
TC1905 Supported DTCs
    [Documentation]    reportSupportedDTC lists every DTC the ECU supports, whatever its status.
    [Tags]    positive    physical    requires:dtcs
    [Template]    DTC Report Should Be
    19 0A    59 0A ${SAM}    ${SUPPORTED_DTC_RECORDS}
TC1906 Snapshot Record Of A DTC
    [Documentation]    The snapshot record is reported with its number, its DID count and each DID's value.
    [Tags]    positive    physical    requires:snapshot-dtc
    P DEF    19 04 ${SNAPSHOT_DTC} ${SNAPSHOT_RECORD_NUMBER}
    ...    59 04 ${SNAPSHOT_DTC} ${SNAPSHOT_DTC_STATUS} ${SNAPSHOT_RECORD}
TC1907 DTC Without A Snapshot
    [Documentation]    A supported DTC without a stored snapshot is answered with its status only.
    [Tags]    positive    physical    requires:dtc-without-snapshot
    P DEF    19 04 ${DTC_WITHOUT_SNAPSHOT} FF    59 04 ${DTC_WITHOUT_SNAPSHOT} ${DTC_WITHOUT_SNAPSHOT_STATUS}
TC1908 Snapshot Of An Unknown DTC Gets 0x31
    [Documentation]    A snapshot request for a DTC the ECU does not know gets requestOutOfRange.
    [Tags]    nrc    physical
    P DEF    19 04 ${UNKNOWN_DTC} ${SNAPSHOT_RECORD_NUMBER}    7F 19 31
TC1909 Unsupported Snapshot Record Gets 0x31
    [Documentation]    A snapshot record number the ECU does not support gets requestOutOfRange.
    [Tags]    nrc    physical    requires:snapshot-dtc
    P DEF    19 04 ${SNAPSHOT_DTC} ${UNSUPPORTED_SNAPSHOT_RECORD}    7F 19 31
TC1910 Extended Data Records Of A DTC
    [Documentation]    Record FF reports every extended data record of the DTC, with its status.
    [Tags]    positive    physical    requires:extended-data-dtc
    P DEF    19 06 ${EXTENDED_DATA_DTC} FF
    ...    59 06 ${EXTENDED_DATA_DTC} ${EXTENDED_DATA_DTC_STATUS} ${EXTENDED_DATA_RECORDS}
TC1911 Extended Data Of An Unknown DTC Gets 0x31
    [Documentation]    An extended data request for a DTC the ECU does not know gets requestOutOfRange.
    [Tags]    nrc    physical
    P DEF    19 06 ${UNKNOWN_DTC} FF    7F 19 31
TC1912 Missing Sub-function Gets 0x13
    [Documentation]    The service id alone gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical
    P DEF    19    7F 19 13
TC1913 Snapshot Request Without Record Number Gets 0x13
    [Documentation]    A snapshot request one byte short gets incorrectMessageLengthOrInvalidFormat.
    [Tags]    nrc    length    physical    requires:snapshot-dtc
    P DEF    19 04 ${SNAPSHOT_DTC}    7F 19 13
TC1914 Unsupported Report Type Gets 0x12
    [Documentation]    A reserved reportType gets subFunctionNotSupported.
    [Tags]    nrc    physical
    P DEF    19 ${UNSUPPORTED_DTC_REPORT}    7F 19 12
TC1915 Functional Unsupported Report Type Stays Silent
    [Documentation]    NRC 0x12 to a functional request is suppressed.
    [Tags]    nrc    functional
    F DEF    19 ${UNSUPPORTED_DTC_REPORT}    ${NO_RESPONSE}
