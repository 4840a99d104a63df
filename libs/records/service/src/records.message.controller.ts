import { Controller, Inject, type LoggerService } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ServiceRequest } from '@custodian/kernel';
import { SERVICE_LOGGER, serve } from '@custodian/platform';
import {
  RECORDS_PATTERNS,
  type ClockOutRequest,
  type CompleteTaskRequest,
  type ComplianceReportRequest,
  type CorrectRequest,
  type GetRecordRequest,
  type InspectRequest,
  type ListRecordsRequest,
  type RecordRef,
  type ReportIssueRequest,
  type StartRecordRequest,
} from '@custodian/records/contracts';
import { RecordsService } from './records.service';

/** The records service's message patterns (gateway → records over TCP). */
@Controller()
export class RecordsMessageController {
  constructor(
    private readonly service: RecordsService,
    @Inject(SERVICE_LOGGER) private readonly logger: LoggerService,
  ) {}

  @MessagePattern(RECORDS_PATTERNS.health)
  health(@Payload() r: ServiceRequest<Record<string, never>>) {
    return serve(RECORDS_PATTERNS.health, r, this.logger, () => this.service.health());
  }

  @MessagePattern(RECORDS_PATTERNS.start)
  start(@Payload() r: ServiceRequest<StartRecordRequest>) {
    return serve(RECORDS_PATTERNS.start, r, this.logger, (q) => this.service.records.start(q));
  }

  @MessagePattern(RECORDS_PATTERNS.completeTask)
  completeTask(@Payload() r: ServiceRequest<CompleteTaskRequest>) {
    return serve(RECORDS_PATTERNS.completeTask, r, this.logger, (q) => this.service.records.completeTask(q));
  }

  @MessagePattern(RECORDS_PATTERNS.reportIssue)
  reportIssue(@Payload() r: ServiceRequest<ReportIssueRequest>) {
    return serve(RECORDS_PATTERNS.reportIssue, r, this.logger, (q) => this.service.records.reportIssue(q));
  }

  @MessagePattern(RECORDS_PATTERNS.clockOut)
  clockOut(@Payload() r: ServiceRequest<ClockOutRequest>) {
    return serve(RECORDS_PATTERNS.clockOut, r, this.logger, (q) => this.service.records.clockOut(q));
  }

  @MessagePattern(RECORDS_PATTERNS.inspect)
  inspect(@Payload() r: ServiceRequest<InspectRequest>) {
    return serve(RECORDS_PATTERNS.inspect, r, this.logger, (q) => this.service.records.inspect(q));
  }

  @MessagePattern(RECORDS_PATTERNS.signOff)
  signOff(@Payload() r: ServiceRequest<RecordRef>) {
    return serve(RECORDS_PATTERNS.signOff, r, this.logger, (q) => this.service.records.signOff(q));
  }

  @MessagePattern(RECORDS_PATTERNS.correct)
  correct(@Payload() r: ServiceRequest<CorrectRequest>) {
    return serve(RECORDS_PATTERNS.correct, r, this.logger, (q) => this.service.records.correct(q));
  }

  @MessagePattern(RECORDS_PATTERNS.get)
  get(@Payload() r: ServiceRequest<GetRecordRequest>) {
    return serve(RECORDS_PATTERNS.get, r, this.logger, (q) => this.service.queries.get(q));
  }

  @MessagePattern(RECORDS_PATTERNS.history)
  history(@Payload() r: ServiceRequest<RecordRef>) {
    return serve(RECORDS_PATTERNS.history, r, this.logger, (q) => this.service.queries.history(q));
  }

  @MessagePattern(RECORDS_PATTERNS.list)
  list(@Payload() r: ServiceRequest<ListRecordsRequest>) {
    return serve(RECORDS_PATTERNS.list, r, this.logger, (q) => this.service.queries.list(q));
  }

  @MessagePattern(RECORDS_PATTERNS.verify)
  verify(@Payload() r: ServiceRequest<RecordRef>) {
    return serve(RECORDS_PATTERNS.verify, r, this.logger, (q) => this.service.queries.verify(q));
  }

  @MessagePattern(RECORDS_PATTERNS.export)
  exportRecord(@Payload() r: ServiceRequest<RecordRef>) {
    return serve(RECORDS_PATTERNS.export, r, this.logger, (q) => this.service.queries.export(q));
  }

  @MessagePattern(RECORDS_PATTERNS.complianceReport)
  complianceReport(@Payload() r: ServiceRequest<ComplianceReportRequest>) {
    return serve(RECORDS_PATTERNS.complianceReport, r, this.logger, (q) => this.service.compliance.handle(q));
  }
}
