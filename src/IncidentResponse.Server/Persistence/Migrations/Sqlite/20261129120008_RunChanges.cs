using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "after",
                table: "run_steps",
                type: "TEXT",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "description",
                table: "run_steps",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "due_at",
                table: "run_steps",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "evidence",
                table: "run_steps",
                type: "TEXT",
                maxLength: 40020,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "phase",
                table: "run_steps",
                type: "TEXT",
                maxLength: 24,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "after",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "description",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "due_at",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "evidence",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "phase",
                table: "run_steps");
        }
    }
}
